package sqlserver

import (
	"context"
	"testing"

	"github.com/activeroles/arupgrade/core/storetest"
)

// TestIntegrationHistoryConformance runs the history destination contract
// suite on SQL Server, through bulk copy and row by row: the same cases the
// bundle passes, so the two dedupe implementations cannot drift apart.
func TestIntegrationHistoryConformance(t *testing.T) {
	server := integrationServer(t)
	for _, c := range []struct {
		name string
		oo   OpenOptions
	}{{"Bulk", OpenOptions{}}, {"RowByRow", OpenOptions{RowByRow: true}}} {
		t.Run(c.name, func(t *testing.T) {
			storetest.RunHistoryConformance(t, func(t *testing.T) storetest.HistoryDest {
				d, err := Open(context.Background(), scratch(t, server), c.oo)
				if err != nil {
					t.Fatal(err)
				}
				return d
			})
		})
	}
}
