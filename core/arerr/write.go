package arerr

// WriteErr reports a failure to write an output file: its own AR-DISK-FULL
// when the volume is full (nothing of the new file is left), AR-WRITE else.
func WriteErr(err error, out, remedy, format string, args ...any) error {
	if e, ok := AsDiskFull(err, "Writing "+out,
		"Nothing was left behind. Free space on that volume, or choose a folder on another volume, and run the command again."); ok {
		return e
	}
	return Wrap(err, "AR-WRITE", CatWriteError, remedy, format, args...)
}
