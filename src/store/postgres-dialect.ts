import { type DatabaseIntrospector, type Kysely, PostgresDialect, type PostgresDialectConfig, type TableMetadata, sql } from 'kysely';

/**
 * kysely's PostgreSQL dialect, with introspection limited to the store's own schema. kysely's own
 * introspector reads every schema of the database and resolves each table by name while doing so,
 * so a schema dropped meanwhile by someone else (another deployment sharing the database, parallel
 * test runs) fails it with "schema … does not exist" — and the Migrator introspects at every start.
 */
export class SchemaPostgresDialect extends PostgresDialect {
  readonly #schema: string;

  constructor(config: PostgresDialectConfig, schema: string) {
    super(config);
    this.#schema = schema;
  }

  override createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return schemaIntrospector(db, this.#schema);
  }
}

interface ColumnRow {
  table_name: string;
  table_type: string;
  column_name: string;
  data_type: string;
  udt_schema: string;
  is_nullable: string;
  column_default: string | null;
  is_identity: string;
}

function schemaIntrospector(db: Kysely<unknown>, schema: string): DatabaseIntrospector {
  async function getTables(): Promise<TableMetadata[]> {
    // information_schema joins by oid, so it never looks up another schema by name. Kysely's own
    // migration tables are part of the schema and listed too (the Migrator looks for them).
    const { rows } = await sql<ColumnRow>`
      select c.table_name, t.table_type, c.column_name, c.udt_name as data_type, c.udt_schema,
             c.is_nullable, c.column_default, c.is_identity
      from information_schema.columns c
      join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
      where c.table_schema = ${schema}
      order by c.table_name, c.ordinal_position`.execute(db);
    const tables = new Map<string, TableMetadata & { columns: TableMetadata['columns'][number][] }>();
    for (const row of rows) {
      let table = tables.get(row.table_name);
      if (!table) {
        table = { name: row.table_name, schema, isView: row.table_type === 'VIEW', columns: [] };
        tables.set(row.table_name, table);
      }
      table.columns.push({
        name: row.column_name,
        dataType: row.data_type,
        dataTypeSchema: row.udt_schema,
        isNullable: row.is_nullable === 'YES',
        hasDefaultValue: row.column_default !== null,
        isAutoIncrementing: row.is_identity === 'YES' || (row.column_default?.startsWith('nextval(') ?? false),
      });
    }
    return [...tables.values()];
  }

  return {
    async getSchemas() {
      const { rows } = await sql<{ name: string }>`select nspname as name from pg_catalog.pg_namespace`.execute(db);
      return rows;
    },
    getTables,
    getMetadata: async () => ({ tables: await getTables() }),
  };
}
