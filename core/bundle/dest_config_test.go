package bundle

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/activeroles/arupgrade/core/data"
	"github.com/activeroles/arupgrade/core/model"
)

func newConfigDest(t *testing.T, opts ...Option) (*ConfigDest, string) {
	t.Helper()
	path := tempPath(t, "cfg.arbundle")
	d, err := OpenConfigDestination(path, opts...)
	must(t, err)
	tables, err := model.Tables(model.Target, model.RoleConfiguration)
	must(t, err)
	must(t, d.Initialize(ctx, tables, nil, map[string]string{"SchemaVersion": "8.2.0", "DatabaseRole": "Configuration",
		"InstallationId": destIID.String(), "EncryptionKeyId": srcIID.String()}))
	return d, path
}

func keyRow(i int) data.Row {
	return data.Row{data.GUIDValue(guidOf("key", i)), data.StringValue("Generated"), data.NullValue(), data.TimeValue(t0)}
}

func TestConfigCommitFailureLeavesFileUnchanged(t *testing.T) {
	fw := &failAfter{n: 1 << 40}
	d, path := newConfigDest(t, withWrap(fw))
	tx, err := d.BeginConfig(ctx)
	must(t, err)
	must(t, tx.Insert(ctx, "EncryptionKey", []data.Row{keyRow(1)}))
	must(t, tx.Commit(ctx))
	before, _ := os.ReadFile(path)

	tests := []struct {
		name   string
		cancel bool
		failAt int
	}{
		{"write fails early", false, 10},
		{"write fails late", false, len(before) - 400},
		{"cancelled", true, 1 << 40},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, cancel := context.WithCancel(ctx)
			defer cancel()
			tx, err := d.BeginConfig(c)
			must(t, err)
			must(t, tx.Insert(c, "EncryptionKey", []data.Row{keyRow(2)}))
			must(t, tx.DeleteAll(c, "Settings"))
			fw.n = tt.failAt
			if tt.cancel {
				cancel()
			}
			if err := tx.Commit(c); err == nil {
				t.Fatal("Commit succeeded")
			}
			fw.n = 1 << 40
			after, _ := os.ReadFile(path)
			if !bytes.Equal(before, after) {
				t.Error("the bundle changed")
			}
			entries, _ := os.ReadDir(filepath.Dir(path))
			if len(entries) != 1 {
				t.Errorf("temporary files left behind: %v", entries)
			}
			if n := count(t, d, "EncryptionKey"); n != 1 {
				t.Errorf("Count = %d", n)
			}
		})
	}
}

func TestConfigTxRefusesWhatSQLServerRefuses(t *testing.T) {
	d, _ := newConfigDest(t)
	tx, err := d.BeginConfig(ctx)
	must(t, err)
	if _, err := d.BeginConfig(ctx); err == nil {
		t.Error("a second concurrent transaction was allowed")
	}
	tests := []struct {
		name string
		err  error
		says string
	}{
		{"duplicate key", tx.Insert(ctx, "EncryptionKey", []data.Row{keyRow(1), keyRow(1)}), "already exists"},
		{"NULL in NOT NULL", tx.Insert(ctx, "EncryptionKey", []data.Row{{data.GUIDValue(guidOf("k", 3)), data.NullValue(), data.NullValue(), data.TimeValue(t0)}}), "does not allow NULL"},
		{"too long", tx.Insert(ctx, "EncryptionKey", []data.Row{{data.GUIDValue(guidOf("k", 4)), data.StringValue(strings.Repeat("x", 17)), data.NullValue(), data.TimeValue(t0)}}), "at most 16"},
		{"update of a missing row", tx.Update(ctx, "EncryptionKey", []data.Row{keyRow(9)}), "no row has the primary key"},
		{"unknown table", tx.Insert(ctx, "Nope", nil), "not in bundle"},
	}
	for _, tt := range tests {
		if tt.err == nil || !strings.Contains(tt.err.Error(), tt.says) {
			t.Errorf("%s: err = %v, want one saying %q", tt.name, tt.err, tt.says)
		}
	}
	must(t, tx.Rollback(ctx))
	if err := tx.Commit(ctx); err == nil {
		t.Error("Commit after Rollback succeeded")
	}
	tx2, err := d.BeginConfig(ctx)
	must(t, err)
	must(t, tx2.Rollback(ctx))
}

func TestConfigDestinationOnMissingOrBadFile(t *testing.T) {
	d, err := OpenConfigDestination(tempPath(t, "none.arbundle"))
	must(t, err)
	if _, err := d.BeginConfig(ctx); err == nil {
		t.Error("BeginConfig on a blank destination succeeded")
	}
	p := tempPath(t, "bad.arbundle")
	must(t, os.WriteFile(p, []byte("not a bundle"), 0o644))
	if _, err := OpenConfigDestination(p); !errors.Is(err, ErrNotBundle) {
		t.Errorf("OpenConfigDestination(junk) = %v", err)
	}
	if _, err := OpenHistoryDestination(p); !errors.Is(err, ErrNotBundle) {
		t.Errorf("OpenHistoryDestination(junk) = %v", err)
	}
}
