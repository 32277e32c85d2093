package sqlserver

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	mssql "github.com/microsoft/go-mssqldb"

	"github.com/activeroles/arupgrade/core/retry"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		name      string
		err       error
		transient bool
		number    int32
	}{
		{"deadlock", mssql.Error{Number: 1205, Message: "Transaction was deadlocked"}, true, 1205},
		{"lock timeout", mssql.Error{Number: 1222}, true, 1222},
		{"azure busy", mssql.Error{Number: 40501}, true, 40501},
		{"azure unavailable", mssql.Error{Number: 40613}, true, 40613},
		{"cannot open database", mssql.Error{Number: 4060}, true, 4060},
		{"transient number deeper in All", mssql.Error{Number: 3621, All: []mssql.Error{{Number: 1205}, {Number: 3621}}}, true, 3621},
		{"fatal server error wrapping deadlock", mssql.ServerError{}, false, 0},
		{"invalid object", mssql.Error{Number: 208, Message: "Invalid object name 'Settings'."}, false, 208},
		{"constraint", mssql.Error{Number: 547}, false, 547},
		{"unique key", mssql.Error{Number: 2627}, false, 2627},
		{"bad conn", driver.ErrBadConn, true, 0},
		{"net op error", &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}, true, 0},
		{"refused", fmt.Errorf("dial: %w", syscall.ECONNREFUSED), true, 0},
		{"eof", fmt.Errorf("read packet: %w", io.EOF), true, 0},
		{"unexpected eof", io.ErrUnexpectedEOF, true, 0},
		{"stream error", mssql.StreamError{InnerError: errors.New("bad token")}, true, 0},
		{"text reset", errors.New("read tcp 10.0.0.1:1433: connection reset by peer"), true, 0},
		{"cancelled", context.Canceled, false, 0},
		{"plain", errors.New("boom"), false, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := wrap("do thing", fmt.Errorf("layer: %w", tc.err), nil)
			if got := IsTransient(err); got != tc.transient {
				t.Errorf("IsTransient = %v, want %v", got, tc.transient)
			}
			if got := retry.IsTransient(err); got != tc.transient {
				t.Errorf("retry.IsTransient = %v, want %v", got, tc.transient)
			}
			var n interface{ SQLErrorNumber() int32 }
			if !errors.As(err, &n) || n.SQLErrorNumber() != tc.number {
				t.Errorf("SQLErrorNumber = %v, want %d", n, tc.number)
			}
			if !strings.HasPrefix(err.Error(), "do thing: ") {
				t.Errorf("message %q lacks the operation", err)
			}
		})
	}
}

func TestWrapRedactsSecrets(t *testing.T) {
	o := &Options{Password: secret}
	inner := fmt.Errorf("login failed for dsn password=%s: %w", secret, mssql.Error{Number: 18456})
	err := wrap("connect", inner, o)
	if strings.Contains(err.Error(), secret) {
		t.Fatalf("secret in %q", err)
	}
	for e := error(err); e != nil; e = errors.Unwrap(e) {
		if strings.Contains(e.Error(), secret) {
			t.Fatalf("secret in the chain: %q", e)
		}
	}
	if ErrorNumber(err) != 18456 {
		t.Errorf("number lost: %d", ErrorNumber(err))
	}
	cerr := wrap("query", fmt.Errorf("pwd %s: %w", secret, context.Canceled), o)
	if !errors.Is(cerr, context.Canceled) {
		t.Error("redaction lost context.Canceled")
	}
}

func TestDatabaseExistsError(t *testing.T) {
	err := fmt.Errorf("create: %w", &DatabaseExistsError{Name: "ActiveRoles820", Server: "sql01"})
	if !errors.Is(err, ErrDatabaseExists) {
		t.Fatal("not ErrDatabaseExists")
	}
}

func TestGuideRetryCountsForSQLErrors(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{mssql.Error{Number: 1205}, 4},
		{mssql.Error{Number: 40613}, 4},
		{&net.OpError{Op: "read", Err: syscall.ECONNRESET}, 4},
		{mssql.Error{Number: 547}, 2},
		{mssql.Error{Number: 2627}, 2},
	}
	p := retry.Guide
	p.NewBackOff = nil
	p = p.WithSleep(func(ctx context.Context, _ time.Duration) error { return nil })
	for _, tc := range tests {
		n, err := retry.Do(context.Background(), p, func(context.Context, int) error { return wrap("write batch", tc.err, nil) })
		if n != tc.want || err == nil {
			t.Errorf("%v: attempts = %d (err %v), want %d", tc.err, n, err, tc.want)
		}
		if !strings.Contains(err.Error(), fmt.Sprintf("after %d attempts", tc.want)) {
			t.Errorf("final error %q does not name the attempts", err)
		}
	}
}
