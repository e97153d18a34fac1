package pipeline

import (
	"context"
	"io"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/arrowio"
	"github.com/lomsong/lomsong/engine/dataset"
)

// Store is what the stage runners read and save: the measurement parts of
// each period and carrier, the registers (sites, villages, subscriptions)
// and the saved stage outputs. A dataset directory (*dataset.Store) is
// one; rows held in memory (*dataset.Memory) are another, for tests of
// the stages and for programs that hold their rows already.
//
// The stages' keys are made from what Parts and Manifest list (each
// part's path and checksums, the sources in ingest order): a Store lists
// a part under the same path and checksums for as long as its rows are
// unchanged, and under others once they change.
type Store interface {
	// Periods returns the distinct measurement periods (YYYY-MM), ascending.
	Periods() []string
	// Carriers returns the distinct carriers of the measurement parts of
	// periods and carriers (nil = all), ascending.
	Carriers(periods, carriers []string) []string
	// Parts lists the parts of kind ("measurements", "sites", "villages",
	// "subscriptions") of periods and carriers (nil = all), in path order.
	Parts(kind string, periods, carriers []string) []dataset.Part
	// Manifest lists the sources in the order they were added, each with
	// its parts.
	Manifest() dataset.Manifest

	// Sites, Villages and Subscriptions return a register's rows; of a key
	// (sector, village id, area and month) several sources list, the rows
	// of the source added last.
	Sites(carriers []string) ([]engine.Site, error)
	Villages() ([]engine.Village, error)
	Subscriptions() ([]engine.Subscription, error)

	// ScanMeasurements calls fn with the rows of the measurement parts of
	// periods and carriers (nil = all), in path order, batch by batch; a
	// batch is valid until fn returns. ScanMeasurementsParallel does the
	// same on workers goroutines (fn(worker, batch) runs concurrently for
	// distinct workers; the order of rows across workers is not fixed).
	// The options may name the columns fn reads (arrowio.WithColumns);
	// a Store may give more. Scans counts the passes made so far.
	ScanMeasurements(ctx context.Context, periods, carriers []string, fn func(*engine.MeasurementBatch) error, opts ...arrowio.Option) error
	ScanMeasurementsParallel(ctx context.Context, periods, carriers []string, workers int, fn func(worker int, b *engine.MeasurementBatch) error, opts ...arrowio.Option) error
	Scans() dataset.ScanStats

	// StageSaved reports whether an output of ref is saved under key;
	// StageSavedOtherwise whether one is saved under another key.
	StageSaved(ref dataset.StageRef, key string) bool
	StageSavedOtherwise(ref dataset.StageRef, key string) bool
	// SavedStageOthers returns the records of the outputs of ref saved
	// under other keys, most recently saved first, unchecked.
	SavedStageOthers(ref dataset.StageRef, key string) []dataset.StageRecord
	// LoadStage returns the record of the output of ref saved under key
	// (an error wrapping dataset.ErrNoStage when there is none, and
	// dataset.ErrCorruptPart when it fails its checks); OpenStageFile
	// opens one of its files.
	LoadStage(ref dataset.StageRef, key string) (dataset.StageRecord, error)
	OpenStageFile(rec dataset.StageRecord, name string) (io.ReadCloser, error)
	// SaveStage saves an output of ref under key, replacing any saved
	// under that key; inputs name what the key was made from, for people.
	SaveStage(ref dataset.StageRef, key string, inputs []string, files []dataset.StageWrite) (dataset.StageRecord, error)
	// CheckStagesWritable reports whether an output could be saved now.
	CheckStagesWritable() error
	// SavesRequired reports whether an output that cannot be saved stops
	// the runners; ReportUnsaved hands one that could not be saved to the
	// Store's caller (and reports true) when it does not.
	SavesRequired() bool
	ReportUnsaved(ref dataset.StageRef, err error) bool
	// ReportDamagedStage tells the Store's caller of a saved output found
	// damaged and not used.
	ReportDamagedStage(ref dataset.StageRef, err error)
}

var (
	_ Store = (*dataset.Store)(nil)
	_ Store = (*dataset.Memory)(nil)
)
