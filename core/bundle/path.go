package bundle

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// RealPath resolves path once to the file it really names: absolute, every
// symbolic link followed. A destination is read, locked, written and
// replaced at its real path, so writing through a link changes the file the
// link points to and leaves the link in place. A path that does not exist
// yet resolves through its nearest existing folder; a dangling link
// resolves to where it points.
func RealPath(path string) (string, error) {
	return realPath(path, 0)
}

func realPath(path string, depth int) (string, error) {
	if depth > 40 {
		return "", fmt.Errorf("resolve %s: too many levels of symbolic links", path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("resolve %s: %w", path, err)
	}
	if p, err := filepath.EvalSymlinks(abs); err == nil {
		return p, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("resolve %s: %w", path, err)
	}
	if fi, err := os.Lstat(abs); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		target, err := os.Readlink(abs)
		if err != nil {
			return "", fmt.Errorf("resolve %s: %w", path, err)
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(filepath.Dir(abs), target)
		}
		return realPath(target, depth+1)
	}
	dir := filepath.Dir(abs)
	if dir == abs {
		return abs, nil
	}
	rd, err := realPath(dir, depth)
	if err != nil {
		return "", err
	}
	return filepath.Join(rd, filepath.Base(abs)), nil
}
