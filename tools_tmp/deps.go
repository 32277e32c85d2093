package main
import (
 _ "github.com/microsoft/go-mssqldb"
 _ "github.com/microsoft/go-mssqldb/azuread"
 _ "github.com/urfave/cli/v2"
 _ "github.com/rs/zerolog"
 _ "github.com/klauspost/compress/zstd"
 _ "github.com/DATA-DOG/go-sqlmock"
 _ "github.com/google/go-cmp/cmp"
 _ "go.uber.org/goleak"
 _ "pgregory.net/rapid"
 _ "github.com/rogpeppe/go-internal/testscript"
 _ "github.com/schollz/progressbar/v3"
 _ "golang.org/x/term"
 _ "golang.org/x/sys/unix"
 _ "github.com/cenkalti/backoff/v5"
)
func main(){}
