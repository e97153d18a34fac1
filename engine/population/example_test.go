package population_test

import (
	"fmt"
	"strings"

	"github.com/lomsong/lomsong/engine/population"
)

func ExampleFromPoints() {
	table := "lon,lat,population,households\n" +
		"105.8500,21.0300,120,33\n" +
		"105.8501,21.0301,80,21\n" + // same res-8 cell as the first point
		"106.7000,10.7700,50,14\n"
	pts, err := population.ReadPoints(strings.NewReader(table))
	if err != nil {
		fmt.Println(err)
		return
	}
	cells, err := population.FromPoints(pts, 8)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range cells {
		fmt.Println(c.Cell, c.Population, c.Households)
	}
	// Output:
	// 88415cb4e5fffff 200 54
	// 8865b56605fffff 50 14
}
