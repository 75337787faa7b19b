import { describe, expect, it } from 'vitest';
import { addDays } from '../../src/model/dates';
import { latestOccurrence, localDateTime, nextOccurrence, occurrenceOn, postingTimesOfDay } from '../../src/schedule/time';

const iso = (d: Date) => d.toISOString();

describe('occurrenceOn', () => {
  it('is the plain local time on an ordinary day', () => {
    expect(iso(occurrenceOn('2026-06-01', '09:00', 'Europe/Berlin'))).toBe('2026-06-01T07:00:00.000Z');
    expect(iso(occurrenceOn('2026-01-15', '09:00', 'America/New_York'))).toBe('2026-01-15T14:00:00.000Z');
  });

  it('moves a time skipped by spring-forward to the first valid minute after (Europe/Berlin)', () => {
    // 2026-03-29: 02:00 CET jumps to 03:00 CEST, so 02:30 does not exist.
    const at = occurrenceOn('2026-03-29', '02:30', 'Europe/Berlin');
    expect(iso(at)).toBe('2026-03-29T01:00:00.000Z');
    expect(localDateTime(at, 'Europe/Berlin')).toEqual({ date: '2026-03-29', time: '03:00' });
    // Times outside the gap are unaffected that day.
    expect(iso(occurrenceOn('2026-03-29', '01:59', 'Europe/Berlin'))).toBe('2026-03-29T00:59:00.000Z');
    expect(iso(occurrenceOn('2026-03-29', '03:00', 'Europe/Berlin'))).toBe('2026-03-29T01:00:00.000Z');
  });

  it('posts a time repeated by fall-back once, at its first instant (Europe/Berlin)', () => {
    // 2026-10-25: 03:00 CEST falls back to 02:00 CET, so 02:30 happens at 00:30Z and 01:30Z.
    expect(iso(occurrenceOn('2026-10-25', '02:30', 'Europe/Berlin'))).toBe('2026-10-25T00:30:00.000Z');
  });

  it('handles both DST days in America/New_York', () => {
    // 2026-03-08: 02:00 EST jumps to 03:00 EDT.
    expect(iso(occurrenceOn('2026-03-08', '02:30', 'America/New_York'))).toBe('2026-03-08T07:00:00.000Z');
    // 2026-11-01: 02:00 EDT falls back to 01:00 EST; 01:30 happens at 05:30Z and 06:30Z.
    expect(iso(occurrenceOn('2026-11-01', '01:30', 'America/New_York'))).toBe('2026-11-01T05:30:00.000Z');
  });

  it('places 23:30 in Pacific/Auckland on the local date, the UTC day before or same day', () => {
    // NZDT (+13) in January: 23:30 local is 10:30Z the same calendar date.
    expect(iso(occurrenceOn('2026-01-15', '23:30', 'Pacific/Auckland'))).toBe('2026-01-15T10:30:00.000Z');
    // NZST (+12) in July.
    expect(iso(occurrenceOn('2026-07-15', '23:30', 'Pacific/Auckland'))).toBe('2026-07-15T11:30:00.000Z');
  });
});

describe('nextOccurrence and latestOccurrence', () => {
  it('steps day by day through the spring-forward day without skipping it', () => {
    const zone = 'Europe/Berlin';
    let t = new Date('2026-03-27T12:00:00Z');
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) {
      t = nextOccurrence('02:30', zone, t);
      seen.push(`${localDateTime(t, zone).date} ${localDateTime(t, zone).time}`);
    }
    expect(seen).toEqual(['2026-03-28 02:30', '2026-03-29 03:00', '2026-03-30 02:30', '2026-03-31 02:30']);
  });

  it('fires once on the fall-back day in America/New_York', () => {
    const zone = 'America/New_York';
    const first = nextOccurrence('01:30', zone, new Date('2026-11-01T00:00:00Z'));
    expect(iso(first)).toBe('2026-11-01T05:30:00.000Z');
    // After the first 01:30, the repeated 01:30 (06:30Z) is not another occurrence.
    expect(iso(nextOccurrence('01:30', zone, first))).toBe('2026-11-02T06:30:00.000Z');
  });

  it('gives the latest occurrence and its local date, across midnight', () => {
    // 00:30 on 16 January in Auckland: the 23:30 post of the 15th was an hour ago.
    const now = new Date('2026-01-15T11:30:00Z');
    expect(latestOccurrence('23:30', 'Pacific/Auckland', now)).toEqual({
      date: '2026-01-15',
      at: new Date('2026-01-15T10:30:00Z'),
    });
    expect(latestOccurrence('23:30', 'Pacific/Auckland', new Date('2026-01-15T10:30:00Z')).date).toBe('2026-01-15');
    expect(latestOccurrence('23:30', 'Pacific/Auckland', new Date('2026-01-15T10:29:00Z')).date).toBe('2026-01-14');
  });

  it('adds calendar days across month and year ends', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });
});

describe('postingTimesOfDay', () => {
  it('adds the time a DST gap moves a subscription to', () => {
    const from = new Date('2026-01-01T00:00:00Z');
    expect(postingTimesOfDay('02:30', 'Europe/Berlin', from)).toEqual(['02:30', '03:00']);
    expect(postingTimesOfDay('02:30', 'America/New_York', from)).toEqual(['02:30', '03:00']);
    expect(postingTimesOfDay('09:00', 'Europe/Berlin', from)).toEqual(['09:00']);
    expect(postingTimesOfDay('02:30', 'UTC', from)).toEqual(['02:30']);
    // Auckland springs forward 02:00 → 03:00 on the last Sunday of September.
    expect(postingTimesOfDay('02:15', 'Pacific/Auckland', from)).toEqual(['02:15', '03:00']);
  });
});
