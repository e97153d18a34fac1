package dataset

import "io/fs"

// FileMode is the mode of the files lomsong writes (outputs, parts, the
// manifest): readable by others, 0644, less what the user's umask takes
// away, as for a file any program creates. A file is first written under
// a private temporary name and given this mode before it is renamed into
// place; under umask 077 it stays private.
func FileMode() fs.FileMode { return fs.FileMode(0o644 &^ umask) }

// DirMode is the mode of the directories lomsong creates whole before
// renaming them into place (0755 less the umask).
func DirMode() fs.FileMode { return fs.FileMode(0o755 &^ umask) }
