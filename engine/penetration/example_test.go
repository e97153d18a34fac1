package penetration_test

import (
	"fmt"
	"math"

	"github.com/lomsong/lomsong/engine/penetration"
)

func ExampleSmartphoneHouseholds() {
	nan := math.NaN()
	p := penetration.Period{Year: 2025, Month: 3}
	rows := []penetration.Subscription{
		{AreaCode: "a", Period: p, Households: 1000, MobileSubscribers: 3100, SmartphoneSubscribers: 2400, SurveyedHouseholds: 200, SurveyedWithSmartphone: 176},
		{AreaCode: "b", Period: p, Households: 800, MobileSubscribers: 2000, SmartphoneSubscribers: 1500, SurveyedHouseholds: 12, SurveyedWithSmartphone: 7},
		{AreaCode: "c", Period: p, Households: 1200, MobileSubscribers: 3300, SmartphoneSubscribers: 2600, SurveyedHouseholds: 150, SurveyedWithSmartphone: 120},
		{AreaCode: "d", Period: p, Households: 500, MobileSubscribers: 1200, SmartphoneSubscribers: 900, SurveyedHouseholds: nan, SurveyedWithSmartphone: nan},
	}
	est, m, err := penetration.SmartphoneHouseholds(rows, nil, penetration.DefaultSmartphoneModel(), penetration.DefaultShrinkage())
	if err != nil {
		panic(err)
	}
	fmt.Printf("prior strength m = %.1f households\n", m)
	for i, e := range est {
		fmt.Printf("%s %.3f [%.3f, %.3f] (%.0f%% credible)\n", rows[i].AreaCode, e.Value, e.Lower, e.Upper, 100*e.Confidence)
	}
	// Output:
	// prior strength m = 67.0 households
	// a 0.885 [0.852, 0.916] (90% credible)
	// b 0.778 [0.698, 0.850] (90% credible)
	// c 0.821 [0.776, 0.862] (90% credible)
	// d 0.797 [0.712, 0.872] (90% credible)
}

func ExampleWilson() {
	lo, hi := penetration.Wilson(10, 100, 0.95)
	fmt.Printf("[%.4f, %.4f]\n", lo, hi)
	// Output: [0.0552, 0.1744]
}
