package synth

import (
	"math"
	"time"
)

// Subscription is one row of the subscriptions table: one province and
// month.
type Subscription struct {
	AreaCode               string
	Period                 Period
	Households             int64
	FiberHouseholds        int64
	MobileSubscribers      int64
	SmartphoneSubscribers  int64
	Only2GSubscribers      int64
	SurveyedHouseholds     int64
	SurveyedWithSmartphone int64
	// FixedMedianDLMbps is the reported median fixed-broadband download
	// speed (Mbit/s, two decimals).
	FixedMedianDLMbps float64
}

// Penetration is the true state of one province in one month, from which
// the subscriptions row was drawn.
type Penetration struct {
	AreaCode string `json:"area_code"`
	Period   string `json:"period"`
	// FiberShare is the share of households with fixed fibre broadband.
	FiberShare float64 `json:"fiber_share"`
	// SmartphoneUserShare is the share of mobile subscribers with a smartphone.
	SmartphoneUserShare float64 `json:"smartphone_user_share"`
	// HouseholdSmartphoneShare is the share of households with at least one
	// smartphone or tablet.
	HouseholdSmartphoneShare float64 `json:"household_smartphone_share"`
	// Only2GShare is the share of mobile subscribers on 2G-only phones.
	Only2GShare float64 `json:"only_2g_share"`
	// FixedMedianDLMbps is the true median fixed download speed (Mbit/s),
	// of which the reported one is a noisy reading.
	FixedMedianDLMbps float64 `json:"fixed_median_dl_mbps"`
}

// Fixed broadband speeds: a province's median starts, in December 2022,
// at 70 Mbit/s in the most remote and 150 in the most urban, and grows at
// 18–42 % a year by province (so that some provinces meet the 30 % goal
// and some do not); the reported median carries ±3 % of sampling noise.
func fixedSpeed(remoteness, urban float64, code string, months int) float64 {
	base := 70 + 80*(1-remoteness)*(0.5+urban)
	growth := 0.18 + 0.24*unitHash(code)
	return base * math.Pow(1+growth, float64(months)/12)
}

// unitHash maps s to [0, 1) (FNV-1a): a province's fixed trait, drawn
// from no random stream so that the other draws stay as they were.
func unitHash(s string) float64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return float64(h>>11) / (1 << 53)
}

// National trajectories, as logits that move linearly with time, fitted
// to the official figures (data/README.md): fibre households 74.5 % in
// December 2022 and 82.3 % in October 2024; smartphones 75 % of mobile
// users in mid-2021 and 88.7 % in October 2024; 2G-only phones about 12 %
// in December 2022 falling to about 4 % in October 2024.
var (
	refPeriod  = Period{2022, time.December}
	fiberLogit = trend{logit(0.745), (logit(0.823) - logit(0.745)) / 22}
	smartLogit = trend{logit(0.75) + (logit(0.887)-logit(0.75))/40*18, (logit(0.887) - logit(0.75)) / 40}
	only2GLgt  = trend{logit(0.12), (logit(0.04) - logit(0.12)) / 22}
)

type trend struct{ at, perMonth float64 }

func (t trend) value(months int, offset float64) float64 {
	return sigmoid(t.at + t.perMonth*float64(months) + offset)
}

func logit(p float64) float64   { return math.Log(p / (1 - p)) }
func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// provinceOffsets are a province's logit offsets from the national trend,
// from its remoteness r (0 lowland … 1 mountainous) and urban household
// share u: mountainous northern provinces come out near 56–58 % smartphone
// users in 2022, Hải Phòng near 77 %.
func provinceOffsets(r, u float64) (fiber, smart, only2G float64) {
	return -1.0*r + 2.0*(u-0.34), -0.9*r + 1.5*(u-0.34), 0.7*r - 1.0*(u-0.34)
}

// subscriptions returns the subscriptions rows and true penetration of
// every area and period, in area then period order.
func subscriptions(cfg Config, areas []Area, provs []*province) ([]Subscription, []Penetration) {
	var subs []Subscription
	var truth []Penetration
	for _, a := range areas {
		rng := newRand(cfg.Seed, "subscriptions/"+a.Code)
		for k := range cfg.Months {
			per := cfg.Start.Add(k)
			months := per.Sub(refPeriod)
			// Months since the census (1 April 2019): households grow 1.2 %
			// a year, population 0.9 %.
			sinceCensus := float64(per.Sub(Period{2019, time.April})) / 12
			var hh, fib, mob, smart, only2G, hhSmart, fixed float64
			for _, p := range provs {
				if p.areaCode != a.Code {
					continue
				}
				fo, so, go_ := provinceOffsets(p.remoteness, p.urbanShare)
				h := float64(p.m.census.Households) * math.Pow(1.012, sinceCensus)
				pop := float64(p.m.census.Population) * math.Pow(1.009, sinceCensus)
				subsPerCap := 1.35 - 0.35*p.remoteness
				m := pop * subsPerCap
				su := smartLogit.value(months, so)
				hh += h
				fib += h * fiberLogit.value(months, fo)
				mob += m
				smart += m * su
				only2G += m * only2GLgt.value(months, go_)
				// A household has a smartphone unless all its ~1.8
				// phone-using adults lack one.
				hhSmart += h * (1 - math.Pow(1-su, 1.8))
				fixed += h * fixedSpeed(p.remoteness, p.urbanShare, a.Code, months)
			}
			pen := Penetration{AreaCode: a.Code, Period: per.String(), FiberShare: fib / hh,
				SmartphoneUserShare: smart / mob, HouseholdSmartphoneShare: hhSmart / hh, Only2GShare: only2G / mob,
				FixedMedianDLMbps: fixed / hh}
			truth = append(truth, pen)
			// Reported counts carry up to ±1 % of reporting noise; the
			// survey is a binomial sample of 300–600 households.
			noise := func() float64 { return 1 + 0.01*(2*rng.Float64()-1) }
			s := Subscription{AreaCode: a.Code, Period: per, Households: int64(math.Round(hh)),
				FiberHouseholds:       int64(math.Round(fib * noise())),
				MobileSubscribers:     int64(math.Round(mob)),
				SmartphoneSubscribers: int64(math.Round(smart * noise())),
				Only2GSubscribers:     int64(math.Round(only2G * noise())),
				SurveyedHouseholds:    300 + rng.Int64N(301)}
			s.FiberHouseholds = min(s.FiberHouseholds, s.Households)
			s.SmartphoneSubscribers = min(s.SmartphoneSubscribers, s.MobileSubscribers)
			s.Only2GSubscribers = min(s.Only2GSubscribers, s.MobileSubscribers-s.SmartphoneSubscribers)
			for range s.SurveyedHouseholds {
				if rng.Float64() < pen.HouseholdSmartphoneShare {
					s.SurveyedWithSmartphone++
				}
			}
			// The reported speed's noise from a stream of its own (the
			// draws above stay as they were before speeds were reported).
			srng := newRand(cfg.Seed, "fixed-speeds/"+a.Code+"/"+per.String())
			s.FixedMedianDLMbps = math.Round(pen.FixedMedianDLMbps*(1+0.03*(2*srng.Float64()-1))*100) / 100
			subs = append(subs, s)
		}
	}
	return subs, truth
}
