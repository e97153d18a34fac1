package dataset

import (
	"os"
	"path/filepath"
)

// StageSavedOtherwise reports whether an output of ref is saved under a
// key other than key: computed from other inputs or options (a dump
// ingested or retracted since, another calibration), for saying why the
// stage is computed again.
func (s *Store) StageSavedOtherwise(ref StageRef, key string) bool {
	rel, err := ref.dir()
	if err != nil || len(key) < 16 {
		return false
	}
	entries, err := os.ReadDir(filepath.Join(s.dir, filepath.FromSlash(rel)))
	if err != nil {
		return false
	}
	for _, e := range entries {
		if e.IsDir() && e.Name() != key[:16] && isHex(e.Name(), 16) {
			if _, err := s.readStageRecord(rel + "/" + e.Name()); err == nil {
				return true
			}
		}
	}
	return false
}
