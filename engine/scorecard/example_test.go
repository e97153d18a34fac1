package scorecard_test

import (
	"os"

	"github.com/lomsong/lomsong/engine/penetration"
	"github.com/lomsong/lomsong/engine/scorecard"
)

func Example() {
	feb := penetration.Period{Year: 2025, Month: 2}
	fibre := penetration.FibreShare(penetration.Subscription{AreaCode: "01", Period: feb,
		Households: 2_400_000, FiberHouseholds: 2_100_000}, nil)
	twoG := penetration.TwoGOnlyShare(penetration.Subscription{MobileSubscribers: 5000, Only2GSubscribers: 180}, 0.95)
	in := []scorecard.AreaInput{
		{Area: "01", Period: feb, Households: 2_400_000,
			DeadZones:   &scorecard.DeadZones{Villages: 0, Households: 0},
			Smartphone:  &penetration.Estimate{Value: 0.93, Lower: 0.91, Upper: 0.95},
			Fibre:       &fibre,
			TwoGOnly:    &twoG,
			SpeedMobile: &penetration.Estimate{Value: 0.34, Lower: 0.29, Upper: 0.40}},
		{Area: "02", Period: feb, Households: 230_000,
			DeadZones: &scorecard.DeadZones{Villages: 14, Households: 1900}},
	}
	card, err := scorecard.Build(in, scorecard.DefaultConfig())
	if err != nil {
		panic(err)
	}
	card.Table(os.Stdout)
	// Output:
	// period   area           1 dead zones (villages)  2 smartphone hh             3 fibre hh  4 2G-only            5 speed YoY  met
	// 2025-02  VN (national)  14 NOT MET               ? unknown                   ? unknown   ? unknown            ? unknown    0/1 (4 unknown)
	// 2025-02  01             0 met #1                 93.0% [91.0, 95.0] NOT MET  87.5% met   3.6% [3.1, 4.2] met  ? unknown    3/4 (1 unknown)
	// 2025-02  02             14 NOT MET #2            ? unknown                   ? unknown   ? unknown            ? unknown    0/1 (4 unknown)
	//
	// unknown (no data, never counted as not met)
	//   2 smartphone: unknown in 1 of 2 areas (no subscriptions for 2025-02) (1 row)
	//   2 smartphone: no subscriptions for 2025-02 (1 row)
	//   3 fibre: unknown in 1 of 2 areas (no subscriptions for 2025-02) (1 row)
	//   3 fibre: no subscriptions for 2025-02 (1 row)
	//   4 2g_only: unknown in 1 of 2 areas (no subscriptions for 2025-02) (1 row)
	//   4 2g_only: no subscriptions for 2025-02 (1 row)
	//   5 speed_yoy: unknown in 2 of 2 areas (1 area: no fixed download speeds (the subscriptions' fixed_median_dl_mbps: the target needs fixed and mobile); 1 area: no mobile speed tests in 2025-02 nor in 2024-02, the same month a year before; no fixed download speeds (the subscriptions' fixed_median_dl_mbps: the target needs fixed and mobile)) (1 row)
	//   5 speed_yoy: no fixed download speeds (the subscriptions' fixed_median_dl_mbps: the target needs fixed and mobile) (1 row)
	//   5 speed_yoy: no mobile speed tests in 2025-02 nor in 2024-02, the same month a year before; no fixed download speeds (the subscriptions' fixed_median_dl_mbps: the target needs fixed and mobile) (1 row)
	//
	// intervals [lower, upper] shown
	//   1 dead_zones: the count listed: no range without the villages' p_dead (3 rows)
	//   3 fibre: exact: administrative counts or reported figures, no sample to give an interval (1 row)
	//   4 2g_only: 95% Wilson score interval (binomial counts) (1 row)
}
