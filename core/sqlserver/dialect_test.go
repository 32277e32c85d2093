package sqlserver

import (
	"context"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/model"
	"github.com/activeroles/arupgrade/core/store"
)

// The SQL Server dialect check (tests/TsqlDialect) parses every statement
// this package can send with Microsoft's own T-SQL parser. The statements
// come from here: TestDialectStatements writes them to $AR_DIALECT_OUT/
// statements.json, and build.ps1's Test task runs
//
//	AR_DIALECT_OUT=$tmp go test ./core/sqlserver -run TestDialectStatements
//	dotnet run --project tests/TsqlDialect -- $tmp
//
// Adding SQL to this package: add one line to dialectStatements.
// TestDialectStatementsCoverPackage fails until every sql* constant and
// builder of the package is named there.

// namedStatement is one batch the engine can send, named by the constant or
// builder that makes it (the first word of Name) and what it was built for.
type namedStatement struct {
	Name string `json:"name"`
	Text string `json:"text"`
	// File and Line locate the text in the repository, for error messages.
	// Exact means the text is written there verbatim (a raw-string constant
	// or a DDL script), so the parser's line and column map onto the file;
	// otherwise Line is the builder's declaration.
	File   string `json:"file"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
	Exact  bool   `json:"exact"`
	// Statements, when not 0, is how many statements the batch must parse
	// into: a quoted name must never turn one statement into several.
	Statements int `json:"statements,omitempty"`
	// Since, when not 0, is the oldest SQL Server major version the engine
	// sends the statement to (16: SQL Server 2022); it is parsed as that.
	Since int `json:"since,omitempty"`
}

// dialectNames are database names the name-taking statements are built
// with, hostile ones included: checkDatabaseName allows any text.
var dialectNames = []string{"ActiveRoles820", "Active Roles 8.2 (MH)", "a]b'; DROP TABLE x; --", "[x]]", "Données-Ω"}

// dialectStatements is every statement the engine can send: the constants,
// and the builders' output for every table, version and role of the model.
// One line per constant or builder; keep it complete (see the file comment).
func dialectStatements(t testing.TB) []namedStatement {
	var out []namedStatement
	add := func(name, text string) { out = append(out, namedStatement{Name: name, Text: text}) }
	one := func(name, text string) { out = append(out, namedStatement{Name: name, Text: text, Statements: 1}) }

	// Constants.
	add("sqlTables", sqlTables)
	add("sqlSettingsExists", sqlSettingsExists)
	add("sqlSettings", sqlSettings)
	add("sqlSnapshotState", sqlSnapshotState)
	add("sqlInstallationID", sqlInstallationID)
	add("sqlDatabaseExists", sqlDatabaseExists)
	add("sqlCreateDatabase", sqlCreateDatabase)
	add("sqlInsertSetting", sqlInsertSetting)
	add("sqlUserTableCount", sqlUserTableCount)
	add("sqlStartRun", sqlStartRun)
	add("sqlFinishRun", sqlFinishRun)
	add("sqlPermissions", sqlPermissions)
	add("sqlSpace", sqlSpace)
	add("sqlHistDropTemp", sqlHistDropTemp)
	add("sqlHistTempCounts", sqlHistTempCounts)
	add("sqlHistDispositions", sqlHistDispositions)
	add("sqlHistDropTempEnd", sqlHistDropTempEnd)
	add("sqlCollDropTemp", sqlCollDropTemp)
	add("sqlCollTempCount", sqlCollTempCount)
	add("sqlCollDispositions", sqlCollDispositions)
	add("sqlCollDropTempEnd", sqlCollDropTempEnd)
	add("sqlDropDatabase", sqlDropDatabase)
	add("sqlDropDatabaseInUse", sqlDropDatabaseInUse)
	add("sqlGetAppLock", sqlGetAppLock)
	add("sqlBulkProbeCreate", sqlBulkProbeCreate)
	add("sqlBulkProbeCount", sqlBulkProbeCount)
	add("sqlReleaseAppLock", sqlReleaseAppLock)
	add("sqlAppLockHolder", sqlAppLockHolder)

	// Builders that take a database name.
	for _, n := range dialectNames {
		one("sqlCreateDatabaseAzure "+strconv.Quote(n), sqlCreateDatabaseAzure(n))
	}

	// Builders per table, for every schema of the model.
	ctx := context.Background()
	for _, s := range dialectSchemas(t) {
		tables, err := model.Tables(s.v, s.r)
		if err != nil {
			t.Fatalf("model tables %s %s: %v", s.v.Short(), s.r, err)
		}
		d := &Database{info: &store.Info{Tables: tables}}
		for i := range tables {
			tb := &tables[i]
			at := " " + s.v.Short() + "/" + string(s.r) + "/" + tb.Name
			p, err := d.planScan(ctx, tb)
			if err != nil {
				t.Fatalf("plan scan%s: %v", at, err)
			}
			add("sqlSelect"+at, sqlSelect(tb.Name, tb.ColumnNames(), p))
			add("sqlCount"+at, sqlCount(tb.Name))
			add("sqlDeleteAll"+at, sqlDeleteAll(tb.Name))
			add("sqlInsertRow"+at, sqlInsertRow(tb.Name, names(tb, writeCols(tb))))
			add("sqlResultColumns"+at, sqlResultColumns(tb.Name))
			add("sqlInsertRow verbatim"+at, sqlInsertRow(tb.Name, tb.ColumnNames()))
			add("sqlIdentityInsert ON"+at, sqlIdentityInsert(tb.Name, true))
			add("sqlIdentityInsert OFF"+at, sqlIdentityInsert(tb.Name, false))
			if set, key := updateCols(tb); len(key) > 0 && len(set) > 0 {
				add("sqlUpdateRow"+at, sqlUpdateRow(tb.Name, set, key))
			}
			if len(tb.PrimaryKey) > 0 {
				add("sqlDeleteRow"+at, sqlDeleteRow(tb.Name, tb.PrimaryKey))
			}
		}
		if s.v == model.Target && s.r == model.RoleCollector {
			// Events are written into 8.2 Collector databases through the
			// history batch (collector.go).
			d.info.Settings = map[string]string{model.SettingDatabaseRole: string(model.RoleCollector)}
			h, err := d.historyTables(ctx)
			if err != nil {
				t.Fatalf("history tables of the Collector: %v", err)
			}
			at := " " + s.v.Short() + "/" + string(s.r)
			ev := names(h.mem, writeCols(h.mem))
			create, err := sqlCollCreateTemp(h.mem)
			if err != nil {
				t.Fatalf("temp table%s: %v", at, err)
			}
			add("sqlCollCreateTemp"+at, create)
			add("sqlHistClassify"+at+"/"+collEvents.table, sqlHistClassify(collEvents))
			add("sqlHistInsert"+at+"/"+collEvents.table, sqlHistInsert(collEvents, ev))
			add("sqlResultColumns"+at+"/"+collEvents.temp, sqlResultColumns(collEvents.temp))
			add("sqlInsertRow"+at+"/"+collEvents.temp, sqlInsertRow(collEvents.temp, append([]string{colOrd.Name, colDisposition.Name}, ev...)))
		}
		if s.v != model.Target || !s.r.HasHistory() {
			continue // history is written into 8.2 Management History databases only
		}
		h, err := d.historyTables(ctx)
		if err != nil {
			t.Fatalf("history tables %s %s: %v", s.v.Short(), s.r, err)
		}
		at := " " + s.v.Short() + "/" + string(s.r)
		rec, attr := names(h.rec, writeCols(h.rec)), names(h.attr, writeCols(h.attr))
		task, mem := names(h.task, writeCols(h.task)), names(h.mem, writeCols(h.mem))
		create, err := sqlHistCreateTemp(h)
		if err != nil {
			t.Fatalf("temp tables%s: %v", at, err)
		}
		add("sqlHistCreateTemp"+at, create)
		for _, e := range []historyEntity{histRecords, histTasks, histMembers} {
			add("sqlHistClassify"+at+"/"+e.table, sqlHistClassify(e))
		}
		add("sqlHistInsert"+at+"/"+histRecords.table, sqlHistInsert(histRecords, rec))
		add("sqlHistInsert"+at+"/"+histTasks.table, sqlHistInsert(histTasks, task))
		add("sqlHistInsert"+at+"/"+histMembers.table, sqlHistInsert(histMembers, mem))
		add("sqlHistInsertAttrs"+at, sqlHistInsertAttrs(attr))
		// The row-by-row path fills the temp tables with sqlInsertRow
		// (insertRows); bulk copy first reads their columns.
		for _, temp := range []string{histRecords.temp, histAttrTemp, histTasks.temp, histMembers.temp} {
			add("sqlResultColumns"+at+"/"+temp, sqlResultColumns(temp))
		}
		ord := []string{colOrd.Name, colDisposition.Name}
		add("sqlInsertRow"+at+"/"+histRecords.temp, sqlInsertRow(histRecords.temp, append(ord, rec...)))
		add("sqlInsertRow"+at+"/"+histAttrTemp, sqlInsertRow(histAttrTemp, append([]string{colParentGuid.Name}, attr...)))
		add("sqlInsertRow"+at+"/"+histTasks.temp, sqlInsertRow(histTasks.temp, append(ord, task...)))
		add("sqlInsertRow"+at+"/"+histMembers.temp, sqlInsertRow(histMembers.temp, append(ord, mem...)))
	}

	// Copy-ARDatabasePrincipals: catalog reads, changes and scripts (principals_dialect_test.go).
	out = append(out, principalDialectStatements(t)...)

	// The model's DDL, batch by batch, as Initialize sends it.
	for _, s := range dialectSchemas(t) {
		batches, err := model.DDL(s.v, s.r)
		if err != nil {
			t.Fatalf("model DDL %s %s: %v", s.v.Short(), s.r, err)
		}
		for i, b := range batches {
			add(fmt.Sprintf("model.DDL %s/%s batch %d", s.v.Short(), s.r, i+1), b)
		}
	}
	return out
}

type dialectSchema struct {
	v model.Version
	r model.Role
}

// dialectSchemas is every version and role the model describes.
func dialectSchemas(t testing.TB) []dialectSchema {
	var out []dialectSchema
	for _, v := range []model.Version{{Major: 7, Minor: 5}, {Major: 7, Minor: 6}, {Major: 8, Minor: 0}, {Major: 8, Minor: 1}, model.Target} {
		g, ok := v.Generation()
		if !ok {
			t.Fatalf("model has no generation for %s", v.Short())
		}
		for _, r := range []model.Role{model.RoleConfiguration, model.RoleManagementHistory, model.RoleCombined, model.RoleCollector} {
			if r == model.RoleCombined && g != model.G1 {
				continue // only 7.5 and 7.6 have Combined databases
			}
			out = append(out, dialectSchema{v, r})
		}
	}
	return out
}

// updateCols is configTx.Update's split of a table's columns: SET every
// column that is neither key nor identity, WHERE the primary key.
func updateCols(t *data.Table) (set, key []string) {
	isKey := map[string]bool{}
	for _, k := range t.PrimaryKey {
		isKey[k] = true
	}
	for _, c := range t.Columns {
		if !isKey[c.Name] && !c.Identity {
			set = append(set, c.Name)
		}
	}
	return set, append(key, t.PrimaryKey...)
}

// TestDialectStatements checks what can be checked without a parser (text
// present, every format verb replaced, no MERGE) and, when AR_DIALECT_OUT
// names a directory, writes the statements there as statements.json for
// tests/TsqlDialect.
func TestDialectStatements(t *testing.T) {
	stmts := dialectStatements(t)
	if len(stmts) < 100 {
		t.Fatalf("only %d statements: the per-table builders produced nothing", len(stmts))
	}
	decls := packageDecls(t)
	ddl := ddlScripts(t)
	seen := map[string]string{}
	var unique []namedStatement
	for _, s := range stmts {
		if p := statementProblem(s.Text); p != "" {
			t.Errorf("%s: %s:\n%s", s.Name, p, s.Text)
		}
		if _, dup := seen[s.Text]; dup {
			continue // e.g. 7.5 and 7.6 share their schema
		}
		seen[s.Text] = s.Name
		locate(t, &s, decls, ddl)
		unique = append(unique, s)
	}
	dir := os.Getenv("AR_DIALECT_OUT")
	if dir == "" {
		t.Logf("%d statements (%d distinct); set AR_DIALECT_OUT to write them for tests/TsqlDialect", len(stmts), len(unique))
		return
	}
	b, err := json.MarshalIndent(unique, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "statements.json")
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %d distinct statements (of %d) to %s", len(unique), len(stmts), path)
}

// formatVerb finds what fmt leaves of a verb it was not given a value for
// (%!d(MISSING)) and verbs that never went through fmt (%s, %[1]s).
var formatVerb = regexp.MustCompile(`%(!|\[\d+\][a-zA-Z]|[-+# 0]*\d*(\.\d+)?[sdvqxXtTfgeb]\b)`)

// statementProblem is what is wrong with a statement that needs no parser to
// see, or "".
func statementProblem(text string) string {
	switch {
	case strings.TrimSpace(text) == "":
		return "empty statement"
	case formatVerb.MatchString(text):
		return fmt.Sprintf("unreplaced format verb %q", formatVerb.FindString(text))
	case mergeWord.MatchString(text):
		return "MERGE is not used (it has known bugs and some servers lack it); write INSERT … WHERE NOT EXISTS / UPDATE"
	}
	return ""
}

func TestStatementProblem(t *testing.T) {
	for _, c := range []struct {
		text string
		bad  bool
	}{
		{"SELECT 1;", false},
		{" \n\t", true},
		{"SELECT %s FROM [dbo].[T];", true},
		{"SELECT [A] FROM [dbo].[T] WHERE [B] = %d;", true},
		{"SELECT %[1]s;", true},
		{"SELECT %!s(MISSING);", true},
		{"SELECT 1 %!(EXTRA string=x)", true},
		{"SELECT 1 FROM [dbo].[T] WHERE [Name] LIKE N'%bob%' AND [Pct] = 5 % 2;", false},
		{"MERGE INTO [dbo].[T] AS t USING #s AS s ON t.[Id] = s.[Id] WHEN NOT MATCHED THEN INSERT ([Id]) VALUES (s.[Id]);", true},
		{"SELECT 1;\nmerge [dbo].[T] USING #s ON 1 = 0 WHEN NOT MATCHED THEN INSERT DEFAULT VALUES;", true},
		{"SELECT [MERGE], t.MERGE, @merge, [MergeCount] FROM [dbo].[Merged] AS t;", false},
	} {
		if got := statementProblem(c.text); (got != "") != c.bad {
			t.Errorf("statementProblem(%q) = %q, want a problem: %v", c.text, got, c.bad)
		}
	}
}

// mergeWord finds MERGE used as a keyword (not inside a longer name) in a
// statement; mergeUpper the same in any string literal of the package, where
// only the upper-case spelling counts so that messages may say "merge".
// tests/TsqlDialect finds MERGE statements exactly, with the parser.
var (
	mergeWord  = regexp.MustCompile(`(?i)(^|[^\w@#\[.])MERGE\b`)
	mergeUpper = regexp.MustCompile(`(^|[^\w@#\[.])MERGE\b`)
)

// TestDialectStatementsCoverPackage: every sql* constant, variable and
// function of the package is in dialectStatements, so a new statement cannot
// skip the dialect check; and no string literal of the package holds MERGE.
func TestDialectStatementsCoverPackage(t *testing.T) {
	listed := map[string]bool{}
	for _, s := range dialectStatements(t) {
		listed[strings.Fields(s.Name)[0]] = true
	}
	decls := packageDecls(t)
	var missing []string
	for name := range decls {
		if !listed[name] {
			missing = append(missing, name)
		}
	}
	sort.Strings(missing)
	for _, name := range missing {
		p := decls[name]
		t.Errorf("%s:%d: %s is not in dialectStatements (core/sqlserver/dialect_test.go): add a line for it so tests/TsqlDialect parses it", p.file, p.line, name)
	}
	for _, lit := range packageStrings(t) {
		if mergeUpper.MatchString(lit.text) {
			t.Errorf("%s:%d: string literal uses MERGE; write INSERT … WHERE NOT EXISTS / UPDATE instead", lit.file, lit.line)
		}
	}
}

// declPos is where a package-level sql* name is declared; for a raw-string
// constant also where its text starts.
type declPos struct {
	file       string // relative to the repository root
	line       int
	textLine   int // 0 unless the value is one raw string literal
	textColumn int
}

var sqlName = regexp.MustCompile(`^sql[A-Z]`)

// packageFiles parses the package's non-test Go files.
func packageFiles(t testing.TB) (*token.FileSet, []*ast.File) {
	t.Helper()
	paths, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var files []*ast.File
	sort.Strings(paths)
	for _, p := range paths {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	return fset, files
}

// packageDecls maps each package-level constant, variable and function named
// sql<Upper>… (types excluded) to where it is declared.
func packageDecls(t testing.TB) map[string]declPos {
	fset, files := packageFiles(t)
	out := map[string]declPos{}
	rel := func(p token.Pos) declPos {
		pos := fset.Position(p)
		return declPos{file: "core/sqlserver/" + filepath.Base(pos.Filename), line: pos.Line}
	}
	for _, f := range files {
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil && sqlName.MatchString(d.Name.Name) {
					out[d.Name.Name] = rel(d.Name.Pos())
				}
			case *ast.GenDecl:
				if d.Tok != token.CONST && d.Tok != token.VAR {
					continue
				}
				for _, spec := range d.Specs {
					vs := spec.(*ast.ValueSpec)
					for i, n := range vs.Names {
						if !sqlName.MatchString(n.Name) {
							continue
						}
						p := rel(n.Pos())
						if i < len(vs.Values) {
							if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING && strings.HasPrefix(lit.Value, "`") {
								lp := fset.Position(lit.Pos())
								p.textLine, p.textColumn = lp.Line, lp.Column+1
							}
						}
						out[n.Name] = p
					}
				}
			}
		}
	}
	return out
}

type stringLit struct {
	file, text string
	line       int
}

// packageStrings lists the string literals of the package's non-test files.
func packageStrings(t testing.TB) []stringLit {
	fset, files := packageFiles(t)
	var out []stringLit
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				s, err := strconv.Unquote(lit.Value)
				if err != nil {
					s = lit.Value
				}
				pos := fset.Position(lit.Pos())
				out = append(out, stringLit{"core/sqlserver/" + filepath.Base(pos.Filename), s, pos.Line})
			}
			return true
		})
	}
	return out
}

// ddlScripts reads the model's DDL scripts (path relative to the repository root → text).
func ddlScripts(t testing.TB) map[string]string {
	paths, err := filepath.Glob("../model/ddl/*.sql")
	if err != nil || len(paths) == 0 {
		t.Fatalf("model DDL scripts: %v (found %d)", err, len(paths))
	}
	out := map[string]string{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out["core/model/ddl/"+filepath.Base(p)] = string(b)
	}
	return out
}

// locate fills s.File, Line, Column and Exact.
func locate(t testing.TB, s *namedStatement, decls map[string]declPos, ddl map[string]string) {
	name := strings.Fields(s.Name)[0]
	if p, ok := decls[name]; ok {
		s.File, s.Line = p.file, p.line
		if p.textLine > 0 {
			s.Line, s.Column, s.Exact = p.textLine, p.textColumn, true
		}
		return
	}
	if name == "model.DDL" {
		files := make([]string, 0, len(ddl))
		for f := range ddl {
			files = append(files, f)
		}
		sort.Strings(files)
		for _, f := range files {
			if i := strings.Index(ddl[f], s.Text); i >= 0 {
				before := ddl[f][:i]
				s.File, s.Line, s.Exact = f, strings.Count(before, "\n")+1, true
				s.Column = i - strings.LastIndex(before, "\n")
				return
			}
		}
		s.File, s.Line = "core/model/ddl.go", 1
		return
	}
	t.Errorf("%s: %s is not declared in core/sqlserver (or is not model.DDL)", s.Name, name)
}
