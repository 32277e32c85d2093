package sqlserver

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/activeroles/arupgrade/core/data"
)

// This file holds the T-SQL of the project. Values are always parameters
// (@p1, …); identifiers come from the database's own catalog or the model
// and pass checkIdent before quoteIdent.

// Catalog and detection.
const (
	// sqlTables lists user tables with their columns and primary-key positions
	// (model §2: a database without user tables is Blank). Tables outside dbo
	// come back with their schema so that they count but never match a model name.
	sqlTables = `SELECT s.name AS SchemaName, t.name AS TableName, c.name AS ColumnName, ty.name AS TypeName,
  c.max_length, c.precision, c.scale, c.is_nullable, c.is_identity, COALESCE(ic.key_ordinal, 0) AS KeyOrdinal
FROM sys.tables AS t
JOIN sys.schemas AS s ON s.schema_id = t.schema_id
JOIN sys.columns AS c ON c.object_id = t.object_id
JOIN sys.types AS ty ON ty.user_type_id = c.user_type_id
LEFT JOIN sys.indexes AS i ON i.object_id = t.object_id AND i.is_primary_key = 1
LEFT JOIN sys.index_columns AS ic ON ic.object_id = i.object_id AND ic.index_id = i.index_id AND ic.column_id = c.column_id
WHERE t.is_ms_shipped = 0
ORDER BY s.name, t.name, c.column_id;`

	// sqlSettingsExists guards the Settings read: on a blank database the
	// SELECT would fail with "Invalid object name 'Settings'" (model §2).
	sqlSettingsExists = `SELECT CASE WHEN OBJECT_ID(N'dbo.Settings', N'U') IS NULL THEN 0 ELSE 1 END;`

	sqlSettings = `SELECT [Name], [Value] FROM [dbo].[Settings];`

	// sqlSnapshotState tells whether SNAPSHOT isolation is allowed (1 = ON).
	sqlSnapshotState = `SELECT snapshot_isolation_state, DB_NAME() FROM sys.databases WHERE database_id = DB_ID();`

	// sqlInstallationID reads the destination's InstallationId for native-row NKs (model §6.5).
	sqlInstallationID = `SELECT [Value] FROM [dbo].[Settings] WHERE [Name] = N'InstallationId';`
)

// Creating and initialising.
const (
	sqlDatabaseExists = `SELECT CASE WHEN DB_ID(@p1) IS NULL THEN 0 ELSE 1 END;`
	// sqlCreateDatabase quotes the name server-side (QUOTENAME) and runs it
	// with sp_executesql: CREATE DATABASE takes no variable, and the name
	// never enters the statement text on the client.
	sqlCreateDatabase = `DECLARE @sql nvarchar(max) = N'CREATE DATABASE ' + QUOTENAME(@p1) + N';';
EXEC sys.sp_executesql @sql;`
	sqlInsertSetting = `INSERT INTO [dbo].[Settings] ([Name], [Value]) VALUES (@p1, @p2);`
	// sqlUserTableCount is model §2's blank test, repeated inside the
	// initialisation transaction so that DDL never runs on a used database.
	sqlUserTableCount = `SELECT COUNT(*) FROM sys.tables WHERE is_ms_shipped = 0;`
)

// sqlCreateDatabaseAzure is CREATE DATABASE alone in its batch, as Azure SQL
// Database requires; the name is validated and quoted (] doubled) on the
// client because the statement cannot take a parameter.
func sqlCreateDatabaseAzure(name string) string {
	return "CREATE DATABASE " + quoteIdent(name) + ";"
}

// Import runs (model §5.1, §7.1).
const (
	// sqlStartRun inserts the ImportRun row and returns its id and the
	// server's clock as datetime2(3), the history import's T0.
	sqlStartRun = `INSERT INTO [dbo].[ImportRun] ([Kind], [SourceInstallationId], [SourceVersion], [SourceServer], [SourceDatabase],
  [Mode], [RangeFromUtc], [RangeToUtc], [CutoffUtc], [StartedUtc], [Outcome], [AddedCount], [SkippedCount], [Report])
OUTPUT inserted.[ImportRunId], CAST(SYSUTCDATETIME() AS datetime2(3))
VALUES (@p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8, @p9, COALESCE(@p10, CAST(SYSUTCDATETIME() AS datetime2(3))), 'Running', 0, 0, NULL);`

	sqlFinishRun = `UPDATE [dbo].[ImportRun]
SET [Outcome] = @p1, [FinishedUtc] = COALESCE(@p2, CAST(SYSUTCDATETIME() AS datetime2(3))), [CutoffUtc] = COALESCE(@p3, [CutoffUtc]),
  [AddedCount] = @p4, [SkippedCount] = @p5, [Report] = @p6
WHERE [ImportRunId] = @p7;`
)

// Preflight (guide: db_datareader on the source; db_owner and default schema
// dbo on the destination). What matters is what the account can do, not how
// it got the right: HAS_PERMS_BY_NAME answers for sysadmin, dbo, db_owner,
// db_datareader and custom grants alike (IS_ROLEMEMBER says no to sysadmin).
// SELECT on the database is what db_datareader gives; CONTROL what db_owner gives.
const (
	sqlPermissions = `SELECT COALESCE(HAS_PERMS_BY_NAME(DB_NAME(), N'DATABASE', N'SELECT'), 0),
  COALESCE(HAS_PERMS_BY_NAME(DB_NAME(), N'DATABASE', N'CONTROL'), 0),
  COALESCE(SCHEMA_NAME(), N''), COALESCE(HAS_PERMS_BY_NAME(NULL, NULL, N'CREATE ANY DATABASE'), 0);`

	// sqlSpace: pages used by the data files, the room left in them, what
	// autogrowth may still add up to max_size, and how many files may grow
	// without limit (then only the disk limits them: free space unknown).
	sqlSpace = `SELECT
  CAST(SUM(CAST(FILEPROPERTY(f.name, 'SpaceUsed') AS bigint)) * 8192 AS bigint) AS UsedBytes,
  CAST(SUM(CAST(f.size AS bigint) - CAST(FILEPROPERTY(f.name, 'SpaceUsed') AS bigint)) * 8192 AS bigint) AS FreeInFiles,
  CAST(SUM(CASE WHEN f.growth = 0 OR f.max_size IN (0, -1) THEN 0 ELSE CAST(f.max_size AS bigint) - CAST(f.size AS bigint) END) * 8192 AS bigint) AS Growable,
  SUM(CASE WHEN f.growth <> 0 AND f.max_size = -1 THEN 1 ELSE 0 END) AS UnlimitedFiles,
  COUNT(FILEPROPERTY(f.name, 'SpaceUsed')) AS KnownFiles, COUNT(*) AS Files
FROM sys.database_files AS f
WHERE f.type = 0;`
)

// The destination's writer lock (one writer per destination): an exclusive
// application lock owned by the session, refused at once when held. The
// 1 ms timeout is "at once" too, and unlike 0 every server answers it with
// the documented -1 when the lock is held.
const (
	sqlGetAppLock = `DECLARE @rc int;
EXEC @rc = sys.sp_getapplock @Resource = @p1, @LockMode = N'Exclusive', @LockOwner = N'Session', @LockTimeout = 1, @DbPrincipal = N'public';
SELECT @rc;`
	sqlReleaseAppLock = `DECLARE @rc int;
EXEC @rc = sys.sp_releaseapplock @Resource = @p1, @LockOwner = N'Session', @DbPrincipal = N'public';
SELECT @rc;`
	// sqlAppLockHolder finds the other session that holds an exclusive
	// application lock in this database (needs VIEW SERVER STATE).
	sqlAppLockHolder = `SELECT TOP (1) s.host_name, s.host_process_id, s.login_time, s.program_name
FROM sys.dm_tran_locks AS l
JOIN sys.dm_exec_sessions AS s ON s.session_id = l.request_session_id
WHERE l.resource_type = N'APPLICATION' AND l.resource_database_id = DB_ID() AND l.request_mode = N'X'
  AND l.request_status = N'GRANT' AND l.request_session_id <> @@SPID
ORDER BY s.login_time;`
)

// The bulk copy probe (bulkUsable): a session temp table with the kinds of
// columns the imports send.
const (
	bulkProbeTable     = "#arupg_bulk_probe"
	sqlBulkProbeCreate = `CREATE TABLE #arupg_bulk_probe ([Id] int NOT NULL PRIMARY KEY, [Name] nvarchar(256) NOT NULL, [Value] nvarchar(max) NULL, [Guid] uniqueidentifier NULL,
  [Sid] varchar(184) NOT NULL, [Kind] varchar(16) NOT NULL, [Flag] bit NOT NULL, [When] datetime2(3) NOT NULL);`
	sqlBulkProbeCount = `SELECT COUNT_BIG(*) FROM #arupg_bulk_probe;`
)

// sqlCount counts a table's rows.
func sqlCount(table string) string {
	return "SELECT COUNT_BIG(*) FROM " + dboTable(table) + ";"
}

// sqlDeleteAll empties a table inside the configuration transaction.
func sqlDeleteAll(table string) string {
	return "DELETE FROM " + dboTable(table) + ";"
}

// sqlSelect reads cols of table in the given order. join, when set, is the
// parent table for child tables (see scanPlan).
func sqlSelect(table string, cols []string, p scanPlan) string {
	var b strings.Builder
	b.WriteString("SELECT ")
	b.WriteString(quoteList("t.", cols))
	b.WriteString(" FROM ")
	b.WriteString(dboTable(table))
	b.WriteString(" AS t")
	if p.parent != "" {
		fmt.Fprintf(&b, " JOIN %s AS r ON r.%s = t.%s", dboTable(p.parent), quoteIdent(p.parentKey), quoteIdent(p.childKey))
	}
	if len(p.order) > 0 {
		b.WriteString(" ORDER BY ")
		for i, o := range p.order {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(o.alias)
			b.WriteString(".")
			b.WriteString(quoteIdent(o.col))
		}
	}
	b.WriteString(";")
	return b.String()
}

// sqlInsertRow is a parameterised single-row INSERT (small inserts and the
// row-by-row path).
func sqlInsertRow(table string, cols []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "INSERT INTO %s (%s) VALUES (", tableRef(table), quoteList("", cols))
	for i := range cols {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "@p%d", i+1)
	}
	b.WriteString(");")
	return b.String()
}

// sqlResultColumns returns no rows, only the target's columns as the server
// names them in result metadata: bulk copy matches column names against that
// metadata exactly, whatever the catalog's collation.
func sqlResultColumns(target string) string {
	return "SELECT TOP (0) * FROM " + tableRef(target) + ";"
}

// sqlIdentityInsert switches explicit identity values on or off for a table
// (InsertVerbatim).
func sqlIdentityInsert(table string, on bool) string {
	state := "OFF"
	if on {
		state = "ON"
	}
	return "SET IDENTITY_INSERT " + dboTable(table) + " " + state + ";"
}

// tableRef is [dbo].[T] for model tables, or the bare #name of a session temp table.
func tableRef(table string) string {
	if strings.HasPrefix(table, "#") {
		return table
	}
	return dboTable(table)
}

// sqlUpdateRow updates one row by its primary key.
func sqlUpdateRow(table string, set, key []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "UPDATE %s SET ", dboTable(table))
	n := 1
	for i, c := range set {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s = @p%d", quoteIdent(c), n)
		n++
	}
	b.WriteString(" WHERE ")
	for i, c := range key {
		if i > 0 {
			b.WriteString(" AND ")
		}
		fmt.Fprintf(&b, "%s = @p%d", quoteIdent(c), n)
		n++
	}
	b.WriteString(";")
	return b.String()
}

// History batch statements (model §8.3). Each batch runs in one transaction
// on one connection: the rows are copied into session temp tables, classified
// there against the destination, and the new ones inserted with set-based
// statements. Disposition: 0 = insert, 1 = duplicate (GUID present), 2 =
// conflict (natural key present, or the task's record is a conflict).

// historyEntity names the model columns of one history table.
type historyEntity struct {
	table    string // dbo table
	temp     string // session temp table
	guid     string // key GUID column
	id       string // identity column
	originID string // Origin<X>Id column
}

var (
	histRecords = historyEntity{"ChangeRecord", "#records", "RecordGuid", "RecordId", "OriginRecordId"}
	histTasks   = historyEntity{"ApprovalTask", "#tasks", "TaskGuid", "TaskId", "OriginTaskId"}
	histMembers = historyEntity{"TemporalMembership", "#members", "MembershipGuid", "MembershipId", "OriginMembershipId"}
)

const histAttrTable, histAttrTemp = "ChangeRecordAttribute", "#attrs"

// sqlHistDropTemp removes temp tables left by an earlier batch on this
// session (normally none: they are dropped before each commit).
const sqlHistDropTemp = `DROP TABLE IF EXISTS #records, #attrs, #tasks, #members, #map;`

// sqlHistCreateTemp creates each temp table with its destination table's
// columns and types, as the catalog reports them, identity columns left out
// and every column NULL-able; text columns take the database's collation
// (not tempdb's), so values keep their code page and compare as in the
// destination. CREATE TABLE rather than SELECT … INTO: bulk copy needs the
// columns exactly as declared, which every server keeps for a declared table.
// #attrs holds the parent record's GUID instead of its RecordId, which the
// destination assigns; a task's record in the same wave is found by its Ord
// (ParentOrd), not its GUID, as another record may repeat that GUID.
func sqlHistCreateTemp(h *histTables) (string, error) {
	var b strings.Builder
	temp := func(name string, lead []string, t *data.Table, skip string) error {
		cols := append([]string(nil), lead...)
		for _, i := range writeCols(t) {
			c := t.Columns[i]
			if c.Name == skip {
				continue
			}
			def, err := tempColumn(c)
			if err != nil {
				return err
			}
			cols = append(cols, def)
		}
		fmt.Fprintf(&b, "CREATE TABLE %s (%s);\n", name, strings.Join(cols, ", "))
		return nil
	}
	ord := []string{"[Ord] int NOT NULL", "[Disposition] tinyint NOT NULL"}
	if err := temp(histRecords.temp, ord, h.rec, ""); err != nil {
		return "", err
	}
	if err := temp(histAttrTemp, []string{"[ParentGuid] uniqueidentifier NULL", "[RecordId] " + h.attrRecordIDType + " NULL"}, h.attr, "RecordId"); err != nil {
		return "", err
	}
	if err := temp(histTasks.temp, append(ord, "[ParentOrd] int NULL"), h.task, ""); err != nil {
		return "", err
	}
	if err := temp(histMembers.temp, ord, h.mem, ""); err != nil {
		return "", err
	}
	b.WriteString("CREATE TABLE #map ([RecordId] bigint NOT NULL, [RecordGuid] uniqueidentifier NOT NULL PRIMARY KEY);")
	return b.String(), nil
}

// typePattern is what a catalog type rendered by typeName looks like.
var typePattern = regexp.MustCompile(`^[a-z][a-z0-9_]*(\((max|[0-9]{1,4}(,[0-9]{1,2})?)\))?$`)

// tempColumn declares a temp-table column like destination column c.
func tempColumn(c data.Column) (string, error) {
	if err := checkIdent("column", c.Name); err != nil {
		return "", err
	}
	tn := strings.ToLower(c.TypeName)
	if !typePattern.MatchString(tn) {
		return "", fmt.Errorf("column %s: type %q is not a plain SQL Server type", c.Name, c.TypeName)
	}
	def := quoteIdent(c.Name) + " " + tn
	switch c.Type {
	case data.TNVarChar, data.TVarChar:
		def += " COLLATE DATABASE_DEFAULT"
	}
	return def + " NULL", nil
}

// sqlHistClassify marks duplicates and conflicts in one temp table against
// the destination (the rows of one wave never repeat each other, see
// waves.go). @p1 is the destination's InstallationId: a source row whose
// origin is this installation matches a native row (Origin* NULL) by its
// identity value. A task of a conflicting record in the same wave is a
// conflict first.
//
// The two natural-key probes are two statements, not one EXISTS … OR EXISTS:
// a server may run an EXISTS under OR once per temp row (PostgreSQL-based
// Babelfish does), which on ApprovalTask and TemporalMembership, whose origin
// columns have no index (model §5.3), scans the table for every row: the
// batch then costs rows × table size. Alone, each EXISTS is a semi-join. The
// explicit IS NOT NULL lets a server match UX_ChangeRecord_Origin, whose
// filter it is, without inferring it from the join.
func sqlHistClassify(e historyEntity) string {
	var b strings.Builder
	t, g, id, oid := dboTable(e.table), quoteIdent(e.guid), quoteIdent(e.id), quoteIdent(e.originID)
	if e == histTasks {
		fmt.Fprintf(&b, `UPDATE k SET [Disposition] = 2 FROM %s AS k
WHERE EXISTS (SELECT 1 FROM #records AS r WHERE r.[Ord] = k.[ParentOrd] AND r.[Disposition] = 2);
`, e.temp)
	}
	fmt.Fprintf(&b, `UPDATE k SET [Disposition] = 1 FROM %[1]s AS k
WHERE k.[Disposition] = 0 AND EXISTS (SELECT 1 FROM %[2]s AS c WHERE c.%[3]s = k.%[3]s);
UPDATE k SET [Disposition] = 2 FROM %[1]s AS k
WHERE k.[Disposition] = 0 AND EXISTS (SELECT 1 FROM %[2]s AS c
  WHERE c.[OriginInstallationId] IS NOT NULL AND c.[OriginInstallationId] = k.[OriginInstallationId] AND c.%[5]s = k.%[5]s);
UPDATE k SET [Disposition] = 2 FROM %[1]s AS k
WHERE k.[Disposition] = 0 AND k.[OriginInstallationId] = @p1
  AND EXISTS (SELECT 1 FROM %[2]s AS c WHERE c.[OriginInstallationId] IS NULL AND c.%[4]s = k.%[5]s);`,
		e.temp, t, g, id, oid)
	return b.String()
}

// sqlHistTempCounts counts the rows bulk copy put in each temp table
// (checkFill).
const sqlHistTempCounts = `SELECT (SELECT COUNT(*) FROM #records), (SELECT COUNT(*) FROM #attrs), (SELECT COUNT(*) FROM #tasks), (SELECT COUNT(*) FROM #members);`

// sqlHistDispositions lists the rows that will not be inserted: 1 records, 2 tasks, 3 memberships.
const sqlHistDispositions = `SELECT 1 AS [Entity], [Ord], [Disposition] FROM #records WHERE [Disposition] <> 0
UNION ALL SELECT 2, [Ord], [Disposition] FROM #tasks WHERE [Disposition] <> 0
UNION ALL SELECT 3, [Ord], [Disposition] FROM #members WHERE [Disposition] <> 0
ORDER BY [Entity], [Ord];`

// sqlHistInsert inserts the rows to keep, in batch order (identity values
// follow the ORDER BY). Records also record their new RecordId in #map.
func sqlHistInsert(e historyEntity, cols []string) string {
	out := ""
	if e == histRecords {
		out = " OUTPUT inserted.[RecordId], inserted.[RecordGuid] INTO #map ([RecordId], [RecordGuid])"
	}
	return fmt.Sprintf("INSERT INTO %s (%s)%s SELECT %s FROM %s AS k WHERE k.[Disposition] = 0 ORDER BY k.[Ord];",
		dboTable(e.table), quoteList("", cols), out, quoteList("k.", cols), e.temp)
}

// sqlHistInsertAttrs inserts the attribute rows of the records just inserted,
// with their new RecordId.
func sqlHistInsertAttrs(cols []string) string {
	sel := make([]string, len(cols))
	for i, c := range cols {
		if c == "RecordId" {
			sel[i] = "m.[RecordId]"
		} else {
			sel[i] = "a." + quoteIdent(c)
		}
	}
	return fmt.Sprintf("INSERT INTO %s (%s) SELECT %s FROM %s AS a JOIN #map AS m ON m.[RecordGuid] = a.[ParentGuid];",
		dboTable(histAttrTable), quoteList("", cols), strings.Join(sel, ", "), histAttrTemp)
}

// sqlHistDropTempEnd drops the batch's temp tables before commit.
const sqlHistDropTempEnd = `DROP TABLE #records; DROP TABLE #attrs; DROP TABLE #tasks; DROP TABLE #members; DROP TABLE #map;`

// sqlDropDatabase removes a database the tests created; sqlDropDatabaseInUse
// first closes the sessions that still use it (on-premises only).
const (
	sqlDropDatabase = `DECLARE @sql nvarchar(max) = N'DROP DATABASE ' + QUOTENAME(@p1) + N';';
IF DB_ID(@p1) IS NOT NULL EXEC sys.sp_executesql @sql;`
	sqlDropDatabaseInUse = `DECLARE @sql nvarchar(max) = N'ALTER DATABASE ' + QUOTENAME(@p1) + N' SET SINGLE_USER WITH ROLLBACK IMMEDIATE; DROP DATABASE ' + QUOTENAME(@p1) + N';';
IF DB_ID(@p1) IS NOT NULL EXEC sys.sp_executesql @sql;`
)
