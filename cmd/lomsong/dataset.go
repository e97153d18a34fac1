package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/lomsong/lomsong/engine/dataset"
)

const datasetSynopsis = `dataset ls DIR

Summarises a dataset: rows and files per kind, period and carrier, and every
ingested source with its checksum and row counts.`

const datasetExample = `  lomsong dataset ls ./ds`

func runDataset(ctx context.Context, args []string, e *env) error {
	fs := newFlags("dataset ls", datasetSynopsis, datasetExample, e)
	pos, err := parseFlags(fs, args, e)
	if err != nil {
		return err
	}
	if len(pos) != 2 || pos[0] != "ls" {
		fs.Usage()
		return usageError{"dataset: want \"dataset ls DIR\""}
	}
	s, err := dataset.Open(pos[1])
	if err != nil {
		return err
	}
	man := s.Manifest()
	if len(man.Sources) == 0 {
		fmt.Fprintf(e.stdout, "%s: empty dataset (no manifest.json); add files with lomsong ingest --dataset %s FILE...\n", pos[1], pos[1])
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(e.stdout, "%s: %d sources\n\n", pos[1], len(man.Sources))
	fmt.Fprintln(tw, "kind\tperiod\tcarrier\tfiles\trows\tMB\t")
	var total int64
	for _, r := range s.Summary() {
		period := r.Period
		if period == "" {
			period = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%.1f\t\n", r.Kind, period, r.Carrier, r.Parts, r.Rows, float64(r.Bytes)/1e6)
		total += r.Rows
	}
	fmt.Fprintf(tw, "total\t\t\t\t%d\t\t\n", total)
	tw.Flush()
	fmt.Fprintln(e.stdout, "\nsources:")
	tw = tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ingested\tname\tkind\tformat\tread\taccepted\trejected\tsha256")
	for _, src := range man.Sources {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%d\t%s…\n", src.IngestedAt.Format(time.RFC3339), src.Name, src.Kind,
			src.Format, src.RowsRead, src.Accepted, src.Rejected, src.SHA256[:16])
	}
	return tw.Flush()
}
