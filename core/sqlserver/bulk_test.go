package sqlserver

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/DATA-DOG/go-sqlmock"
	mssql "github.com/microsoft/go-mssqldb"
)

// A server whose bulk load fails the probe gets row-by-row inserts, and the
// caller is told once why; the verdict is kept. A transient failure of the
// probe (a deadlock, a dropped connection) is no verdict: bulk copy stays on
// and the probe runs again before the next bulk copy.
func TestBulkProbe(t *testing.T) {
	probe := func(t *testing.T, probeErr error) (*Database, *[]string) {
		var warned []string
		d, m := newMock(t, OpenOptions{Warn: func(code, msg string) { warned = append(warned, code+" "+msg) }}, nil)
		d.bulkProbed = false // newMock skips the probe; this test is about it
		m.ExpectExec(sqlBulkProbeCreate).WillReturnError(probeErr)
		return d, &warned
	}
	t.Run("not supported", func(t *testing.T) {
		d, warned := probe(t, errors.New("bulk load is not supported"))
		for i := range 2 { // the second call keeps the verdict, without probing again
			if d.bulkUsable(context.Background()) {
				t.Fatalf("call %d: bulk copy still used after the probe failed", i+1)
			}
		}
		if len(*warned) != 1 || !strings.HasPrefix((*warned)[0], WarnBulkCopyUnavailable) || !strings.Contains((*warned)[0], "not supported") {
			t.Errorf("warnings %q", *warned)
		}
	})
	t.Run("transient", func(t *testing.T) {
		d, warned := probe(t, mssql.Error{Number: 1205, Message: "deadlock victim"})
		if !d.bulkUsable(context.Background()) || len(*warned) != 0 || d.bulkProbed {
			t.Fatalf("a transient probe failure turned bulk copy off (%q) or counted as a verdict", *warned)
		}
	})
	t.Run("row by row", func(t *testing.T) {
		if d, _ := newMock(t, OpenOptions{RowByRow: true}, func(sqlmock.Sqlmock) {}); d.bulkUsable(context.Background()) {
			t.Error("RowByRow uses bulk copy")
		}
	})
}
