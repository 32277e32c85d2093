package sqlserver

import (
	"fmt"
	"strings"

	"github.com/activeroles/arupgrade/core/data"
)

// Collector batch statements (model §13.5): a Collector database's events
// travel in a history batch's memberships slot (store.KeyedTable) and are
// classified and inserted by the history builders (sqlHistClassify,
// sqlHistInsert) with collEvents; only the temp table and the statements
// that name it are the Collector's own.

// collEvents names the model columns of the Collector's events.
var collEvents = historyEntity{"CollectedEvent", "#events", "EventGuid", "EventId", "OriginEventId"}

// sqlCollDropTemp removes an #events table left by an earlier batch on this
// session (normally none: it is dropped before each commit).
const sqlCollDropTemp = `DROP TABLE IF EXISTS #events;`

// sqlCollCreateTemp creates #events like sqlHistCreateTemp's tables: the
// destination's written columns as the catalog declares them, every one
// NULL-able, text in the database's collation, after Ord and Disposition.
func sqlCollCreateTemp(t *data.Table) (string, error) {
	cols := []string{"[Ord] int NOT NULL", "[Disposition] tinyint NOT NULL"}
	for _, i := range writeCols(t) {
		def, err := tempColumn(t.Columns[i])
		if err != nil {
			return "", err
		}
		cols = append(cols, def)
	}
	return fmt.Sprintf("CREATE TABLE %s (%s);", collEvents.temp, strings.Join(cols, ", ")), nil
}

// sqlCollDispositions lists the events that will not be inserted, as
// entity 3 (the memberships slot) of sqlHistDispositions.
const sqlCollDispositions = `SELECT 3 AS [Entity], [Ord], [Disposition] FROM #events WHERE [Disposition] <> 0 ORDER BY [Ord];`

// sqlCollTempCount counts the rows bulk copy put in #events (checkFill).
const sqlCollTempCount = `SELECT COUNT(*) FROM #events;`

// sqlCollDropTempEnd drops the batch's temp table before commit.
const sqlCollDropTempEnd = `DROP TABLE #events;`
