package model

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/activeroles/arupgrade/core/data"
)

// A small parser for the subset of T-SQL DDL the model uses: CREATE TABLE,
// ALTER TABLE … ADD and CREATE [UNIQUE] INDEX (skipped). Constraints other
// than PRIMARY KEY are recognised only to be skipped.

// parseSchema parses scripts in order into tables in declaration order.
func parseSchema(scripts ...string) ([]data.Table, error) {
	p := &schemaParser{}
	for _, s := range scripts {
		toks, err := lex(s)
		if err != nil {
			return nil, err
		}
		if err := p.statements(toks); err != nil {
			return nil, err
		}
	}
	return p.tables, nil
}

type schemaParser struct {
	tables []data.Table
}

func (p *schemaParser) table(name string) *data.Table {
	for i := range p.tables {
		if strings.EqualFold(p.tables[i].Name, name) {
			return &p.tables[i]
		}
	}
	return nil
}

// statements splits tokens at top-level semicolons and parses each statement.
func (p *schemaParser) statements(toks []token) error {
	for len(toks) > 0 {
		end, depth := len(toks), 0
		for i, t := range toks {
			if t.punct("(") {
				depth++
			} else if t.punct(")") {
				depth--
			} else if t.punct(";") && depth == 0 {
				end = i
				break
			}
		}
		stmt := toks[:end]
		if end < len(toks) {
			toks = toks[end+1:]
		} else {
			toks = nil
		}
		if len(stmt) == 0 {
			continue
		}
		if err := p.statement(stmt); err != nil {
			return fmt.Errorf("line %d: %w", stmt[0].line, err)
		}
	}
	return nil
}

func (p *schemaParser) statement(s []token) error {
	switch {
	case len(s) >= 2 && s[0].is("CREATE") && s[1].is("TABLE"):
		return p.createTable(s[2:])
	case len(s) >= 2 && s[0].is("ALTER") && s[1].is("TABLE"):
		return p.alterTable(s[2:])
	case len(s) >= 2 && s[0].is("CREATE") && (s[1].is("INDEX") || s[1].is("UNIQUE") ||
		s[1].is("CLUSTERED") || s[1].is("NONCLUSTERED")):
		return nil // indexes do not change columns or keys
	}
	return fmt.Errorf("unsupported statement starting %q", s[0].text)
}

// objectName reads [schema.]name and returns the name and the rest.
func objectName(s []token) (string, []token, error) {
	if len(s) == 0 || s[0].kind != tokWord {
		return "", nil, fmt.Errorf("expected a table name")
	}
	if len(s) >= 3 && s[1].punct(".") && s[2].kind == tokWord {
		return s[2].text, s[3:], nil
	}
	return s[0].text, s[1:], nil
}

func (p *schemaParser) createTable(s []token) error {
	name, rest, err := objectName(s)
	if err != nil {
		return fmt.Errorf("CREATE TABLE: %w", err)
	}
	if p.table(name) != nil {
		return fmt.Errorf("CREATE TABLE %s: table already defined", name)
	}
	if len(rest) < 2 || !rest[0].punct("(") || !rest[len(rest)-1].punct(")") {
		return fmt.Errorf("CREATE TABLE %s: expected ( definitions )", name)
	}
	t := data.Table{Name: name}
	for _, item := range splitTop(rest[1 : len(rest)-1]) {
		if err := addItem(&t, item); err != nil {
			return fmt.Errorf("CREATE TABLE %s: %w", name, err)
		}
	}
	if len(t.Columns) == 0 {
		return fmt.Errorf("CREATE TABLE %s: no columns", name)
	}
	p.tables = append(p.tables, t)
	return nil
}

func (p *schemaParser) alterTable(s []token) error {
	name, rest, err := objectName(s)
	if err != nil {
		return fmt.Errorf("ALTER TABLE: %w", err)
	}
	t := p.table(name)
	if t == nil {
		return fmt.Errorf("ALTER TABLE %s: no such table", name)
	}
	if len(rest) == 0 || !rest[0].is("ADD") {
		return fmt.Errorf("ALTER TABLE %s: only ADD is supported", name)
	}
	for _, item := range splitTop(rest[1:]) {
		if err := addItem(t, item); err != nil {
			return fmt.Errorf("ALTER TABLE %s: %w", name, err)
		}
	}
	return nil
}

// splitTop splits at commas outside parentheses.
func splitTop(s []token) [][]token {
	var out [][]token
	depth, start := 0, 0
	for i, t := range s {
		switch {
		case t.punct("("):
			depth++
		case t.punct(")"):
			depth--
		case t.punct(",") && depth == 0:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

// addItem adds one column definition or table constraint.
func addItem(t *data.Table, item []token) error {
	if len(item) == 0 {
		return fmt.Errorf("empty definition")
	}
	rest := item
	if rest[0].is("CONSTRAINT") { // CONSTRAINT name <constraint>
		if len(rest) < 3 {
			return fmt.Errorf("incomplete CONSTRAINT")
		}
		rest = rest[2:]
	}
	switch {
	case rest[0].is("PRIMARY"):
		cols, err := keyColumns(rest)
		if err != nil {
			return err
		}
		return setPrimaryKey(t, cols)
	case rest[0].is("CHECK"), rest[0].is("UNIQUE"), rest[0].is("FOREIGN"), rest[0].is("INDEX"):
		return nil
	case len(rest) != len(item):
		return fmt.Errorf("unsupported table constraint %q", rest[0].text)
	}
	return addColumn(t, item)
}

// keyColumns reads PRIMARY KEY [CLUSTERED|NONCLUSTERED] (a [ASC|DESC], …).
func keyColumns(s []token) ([]string, error) {
	i := 0
	for i < len(s) && !s[i].punct("(") {
		i++
	}
	if i == len(s) || !s[len(s)-1].punct(")") {
		return nil, fmt.Errorf("PRIMARY KEY without a column list")
	}
	var cols []string
	for _, part := range splitTop(s[i+1 : len(s)-1]) {
		if len(part) == 0 || part[0].kind != tokWord {
			return nil, fmt.Errorf("bad PRIMARY KEY column list")
		}
		cols = append(cols, part[0].text)
	}
	return cols, nil
}

func setPrimaryKey(t *data.Table, cols []string) error {
	if len(t.PrimaryKey) > 0 {
		return fmt.Errorf("second PRIMARY KEY")
	}
	for k, c := range cols {
		i := t.Index(c)
		if i < 0 {
			return fmt.Errorf("PRIMARY KEY column %s is not defined", c)
		}
		cols[k] = t.Columns[i].Name
		t.Columns[i].Nullable = false // SQL Server makes key columns NOT NULL
	}
	t.PrimaryKey = cols
	return nil
}

// addColumn reads: name type[(n|max|n,m)] then, in any order, NULL, NOT NULL,
// IDENTITY(s,i), [CONSTRAINT x] PRIMARY KEY | UNIQUE | CHECK (…) | DEFAULT x |
// REFERENCES t (c) [ON DELETE|UPDATE action].
func addColumn(t *data.Table, s []token) error {
	if len(s) < 2 || s[0].kind != tokWord || s[1].kind != tokWord {
		return fmt.Errorf("expected column name and type")
	}
	c := data.Column{Name: s[0].text}
	if t.Index(c.Name) >= 0 {
		return fmt.Errorf("column %s defined twice", c.Name)
	}
	typ, ok := data.ParseColType(s[1].text)
	if !ok {
		return fmt.Errorf("column %s: unknown type %s", c.Name, s[1].text)
	}
	c.Type = typ
	c.TypeName = strings.ToLower(s[1].text)
	i := 2
	if i < len(s) && s[i].punct("(") {
		j := closing(s, i)
		if j < 0 {
			return fmt.Errorf("column %s: unbalanced type arguments", c.Name)
		}
		if err := typeArgs(&c, s[i+1:j]); err != nil {
			return fmt.Errorf("column %s: %w", c.Name, err)
		}
		i = j + 1
	} else if typ == data.TDateTime2 {
		c.Scale = 7 // datetime2 without precision is datetime2(7)
	}
	notNull, pk := false, false
	for i < len(s) {
		switch tk := s[i]; {
		case tk.is("NOT") && i+1 < len(s) && s[i+1].is("NULL"):
			notNull = true
			i += 2
		case tk.is("NULL"): // explicit NULL; SET NULL of ON DELETE is consumed below
			i++
		case tk.is("IDENTITY"):
			c.Identity = true
			i = skipParens(s, i+1)
		case tk.is("PRIMARY"):
			pk = true
			i++
		case tk.is("CHECK"):
			i = skipParens(s, i+1)
		case tk.is("DEFAULT"):
			i = skipOperand(s, i+1)
		case tk.is("SET"): // ON DELETE SET NULL | SET DEFAULT
			i += 2
		default: // CONSTRAINT name, UNIQUE, KEY, REFERENCES t (c), ON DELETE CASCADE, …
			i++
			if i < len(s) && s[i].punct("(") {
				i = skipParens(s, i)
			}
		}
		if i < 0 {
			return fmt.Errorf("column %s: unbalanced parentheses", c.Name)
		}
	}
	c.Nullable = !notNull && !pk
	t.Columns = append(t.Columns, c)
	if pk {
		return setPrimaryKey(t, []string{c.Name})
	}
	return nil
}

// typeArgs reads (n), (max) or (n,m) and fills TypeName, MaxLen and Scale.
func typeArgs(c *data.Column, args []token) error {
	var vals []string
	for _, a := range splitTop(args) {
		if len(a) != 1 || (a[0].kind != tokNumber && !a[0].is("max")) {
			return fmt.Errorf("bad type argument")
		}
		vals = append(vals, strings.ToLower(a[0].text))
	}
	if len(vals) == 0 || len(vals) > 2 {
		return fmt.Errorf("want 1 or 2 type arguments")
	}
	c.TypeName += "(" + strings.Join(vals, ",") + ")"
	n := data.MaxLenMax
	if vals[0] != "max" {
		n, _ = strconv.Atoi(vals[0])
	}
	switch c.Type {
	case data.TDateTime2:
		c.Scale = n
	case data.TNVarChar, data.TVarChar, data.TVarBinary:
		c.MaxLen = n
	}
	if len(vals) == 2 {
		c.Scale, _ = strconv.Atoi(vals[1])
	}
	return nil
}

// closing returns the index of the parenthesis closing s[open], or -1.
func closing(s []token, open int) int {
	depth := 0
	for i := open; i < len(s); i++ {
		if s[i].punct("(") {
			depth++
		} else if s[i].punct(")") {
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// skipParens skips a parenthesised group at s[i] if there is one; -1 when it
// does not close.
func skipParens(s []token, i int) int {
	if i < len(s) && s[i].punct("(") {
		j := closing(s, i)
		if j < 0 {
			return -1
		}
		return j + 1
	}
	return i
}

// skipOperand skips a DEFAULT value: (expr), a literal, or a call like NEWID().
func skipOperand(s []token, i int) int {
	if i >= len(s) {
		return i
	}
	if s[i].punct("(") {
		return skipParens(s, i)
	}
	if s[i].punct("-") || s[i].punct("+") { // signed number
		i++
	}
	i++
	return skipParens(s, i)
}
