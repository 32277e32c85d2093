package sqlserver

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/DATA-DOG/go-sqlmock"
)

// A server whose bulk load fails the probe gets row-by-row inserts, and the
// caller is told once why; the probe runs once per Database.
func TestBulkProbe(t *testing.T) {
	var warned []string
	d, m := newMock(t, OpenOptions{Warn: func(code, msg string) { warned = append(warned, code+" "+msg) }}, nil)
	d.bulkOnce = sync.Once{} // newMock skips the probe; this test is about it
	m.ExpectExec(sqlBulkProbeCreate).WillReturnError(errors.New("bulk load is not supported"))
	if d.bulkUsable(context.Background()) || d.bulkUsable(context.Background()) {
		t.Fatal("bulk copy still used after the probe failed")
	}
	if len(warned) != 1 || !strings.HasPrefix(warned[0], WarnBulkCopyUnavailable) || !strings.Contains(warned[0], "not supported") {
		t.Errorf("warnings %q", warned)
	}
	if d2, _ := newMock(t, OpenOptions{RowByRow: true}, func(sqlmock.Sqlmock) {}); d2.bulkUsable(context.Background()) {
		t.Error("RowByRow uses bulk copy")
	}
}
