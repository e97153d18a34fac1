package dataset

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// StageSavedOtherwise reports whether an output of ref is saved under a
// key other than key: computed from other inputs or options (a dump
// ingested or retracted since, another calibration), for saying why the
// stage is computed again.
func (s *Store) StageSavedOtherwise(ref StageRef, key string) bool {
	return len(s.SavedStageOthers(ref, key)) > 0
}

// SavedStageOthers returns the records of the outputs of ref saved under
// keys other than key, most recently saved first (by their stage.json's
// modification time, then directory). They are not checked: LoadStage
// checks the one a caller takes. A stage that can extend an earlier output
// (a search at more points) finds it here.
func (s *Store) SavedStageOthers(ref StageRef, key string) []StageRecord {
	rel, err := ref.dir()
	if err != nil || len(key) < 16 {
		return nil
	}
	entries, err := os.ReadDir(filepath.Join(s.dir, filepath.FromSlash(rel)))
	if err != nil {
		return nil
	}
	type found struct {
		rec StageRecord
		mod int64
	}
	var out []found
	for _, e := range entries {
		if !e.IsDir() || e.Name() == key[:16] || !isHex(e.Name(), 16) {
			continue
		}
		rec, err := s.readStageRecord(rel + "/" + e.Name())
		if err != nil {
			continue
		}
		var mod int64
		if st, err := os.Stat(filepath.Join(s.dir, filepath.FromSlash(rec.Dir), stageRecordName)); err == nil {
			mod = st.ModTime().UnixNano()
		}
		out = append(out, found{rec, mod})
	}
	slices.SortFunc(out, func(a, b found) int {
		if a.mod != b.mod {
			return cmpInt64(b.mod, a.mod)
		}
		return strings.Compare(a.rec.Dir, b.rec.Dir)
	})
	recs := make([]StageRecord, len(out))
	for i, f := range out {
		recs[i] = f.rec
	}
	return recs
}
