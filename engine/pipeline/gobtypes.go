package pipeline

import (
	"encoding/gob"
	"fmt"
	"io"
	"sync"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/aggregate"
	"github.com/lomsong/lomsong/engine/coverage"
	"github.com/lomsong/lomsong/engine/deadzone"
	"github.com/lomsong/lomsong/engine/hexgrid"
	"github.com/lomsong/lomsong/engine/population"
	"github.com/lomsong/lomsong/engine/predict"
)

// Gob numbers the types it meets in a process in the order it first meets
// them, and a saved output carries those numbers: the same stage saved by
// a process that had read other stages back first (a stage recomputed
// alone after its output was removed or found damaged) was different
// bytes from one saved by a full run, its content the same. So before the
// first saved output is read or written (the process's only gob use),
// every saved form is encoded once, in one fixed order — each state with
// one element in each of its chunked slices and maps, so that the element
// types are met too — and the numbers are the same in every process. A
// saved form added later goes in meetSavedTypes.
var savedTypesMet = sync.OnceValue(func() error {
	if err := meetSavedTypes(gob.NewEncoder(io.Discard)); err != nil {
		return fmt.Errorf("pipeline: saved forms' gob types: %w", err)
	}
	return nil
})

// meetSavedTypes encodes a sample of every saved form into enc, in a
// fixed order.
func meetSavedTypes(enc *gob.Encoder) error {
	ms := &measuredState{Rows: make([]aggregate.Row, 1), NotChosen: make([]aggregate.Row, 1), Speeds: make([]speedState, 1),
		readings: make([]evReading, 1)}
	if err := ms.encodeTo(enc); err != nil {
		return err
	}
	cr := &CoverageResult{States: make([]coverage.State, 1), Measured: make([]aggregate.Row, 1), Predicted: make([]coverage.PredictedCell, 1),
		Sites: make([]engine.Site, 1)}
	cr.Config.SigmaDB = map[coverage.CarrierTech]float64{{}: 0}
	if err := (coverageState{r: cr}).encodeTo(enc); err != nil {
		return err
	}
	pr := &PlanResult{Footprints: map[string][]hexgrid.Cell{"": make([]hexgrid.Cell, 1)}, Admin: map[string][2]string{"": {}}}
	if err := (planState{r: pr}).encodeTo(enc); err != nil {
		return err
	}
	dz := &deadZonesState{}
	dz.Result.Admin = map[hexgrid.Cell]deadzone.Admin{0: {}}
	dz.Result.PDead = map[hexgrid.Cell]float64{0: 0}
	dz.Result.Population = make([]population.Cell, 1)
	dz.Result.Villages.Villages = make([]deadzone.VillageStatus, 1)
	dz.Result.Gaps.Hexes = make([]deadzone.GapHex, 1)
	if err := dz.encodeTo(enc); err != nil {
		return err
	}
	ev := &evPredictionsState{Cells: make([]cellHexState, 1), Count: make([]int32, 1), Tech: make([]engine.Tech, 1), SignalDBm: make([]float64, 1)}
	if err := ev.encodeTo(enc); err != nil {
		return err
	}
	pr1 := &predict.Result{Point: make([]int32, 1), Carrier: make([]engine.Carrier, 1), Tech: make([]engine.Tech, 1), Site: make([]int32, 1),
		SignalDBm: make([]float64, 1), PathLossDB: make([]float64, 1), SigmaDB: make([]float64, 1), DistanceM: make([]float64, 1),
		Model: make([]predict.Model, 1)}
	pts := &predict.Points{Lon: make([]float64, 1), Lat: make([]float64, 1), EnvFrac: make([]float64, 1), Env: make([]predict.Env, 1)}
	return predictionsState{r: pr1, pts: pts}.encodeTo(enc)
}
