package geodata_test

import (
	"fmt"

	"github.com/lomsong/lomsong/geodata"
)

func ExampleBoundarySet_Lookup() {
	provinces, err := geodata.Provinces2019()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, q := range []string{"lai chau", "Lai Châu", "12", "ha giang"} {
		u, err := provinces.Lookup(q)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%q → %s %s, since July 2025 in province %s\n", q, u.Code, u.Name, geodata.Crosswalk()[u.Code])
	}
	// Output:
	// "lai chau" → 12 Lai Châu, since July 2025 in province 12
	// "Lai Châu" → 12 Lai Châu, since July 2025 in province 12
	// "12" → 12 Lai Châu, since July 2025 in province 12
	// "ha giang" → 02 Hà Giang, since July 2025 in province 08
}
