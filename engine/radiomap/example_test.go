package radiomap_test

import (
	"fmt"

	"github.com/lomsong/lomsong/engine"
	"github.com/lomsong/lomsong/engine/radiomap"
)

// Two carriers' 4G tests near a village: Viettel measured 6 dB above its
// calibrated prediction 300 m away, MobiFone reported no service 200 m
// away where its prediction was 4 dB above the no-service floor (so its
// residual is at most −4 dB). The posterior at the village couples the
// two through the shared component.
func ExampleMap_At() {
	viettel := radiomap.Key{Carrier: engine.Viettel, Tech: engine.Tech4G}
	mobifone := radiomap.Key{Carrier: engine.MobiFone, Tech: engine.Tech4G}
	const lon, lat = 103.4, 22.4 // a village in Lai Châu
	obs := []radiomap.Obs{
		{Lon: lon + 0.0029, Lat: lat, Key: viettel, ResidualDB: 6},
		{Lon: lon, Lat: lat - 0.0018, Key: mobifone, ResidualDB: -4, Censor: radiomap.Upper},
	}
	model := radiomap.Model{SharedSillDB2: 25, SharedRangeM: 800, OwnSillDB2: 16, OwnRangeM: 400, NuggetDB2: 9}
	mp, err := radiomap.New(obs, model, radiomap.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	p, err := mp.At(lon, lat, []radiomap.Key{viettel, mobifone})
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, k := range p.Keys {
		fmt.Printf("%s: residual %+.1f ± %.1f dB\n", k, p.MeanDB[i], p.SigmaDB(i))
	}
	fmt.Printf("correlation %.2f; %d exact, %d censored; nearest %.0f m\n",
		p.Cov[1]/(p.SigmaDB(0)*p.SigmaDB(1)), p.Exact, p.Censored, p.NearestM)
	// Output:
	// viettel/4G: residual +0.5 ± 5.1 dB
	// mobifone/4G: residual -3.0 ± 5.0 dB
	// correlation 0.45; 1 exact, 1 censored; nearest 200 m
}
