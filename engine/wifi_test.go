package engine

import "testing"

func TestIsWiFi(t *testing.T) {
	for _, tc := range []struct {
		s    string
		want bool
	}{
		{"wifi", true}, {"WiFi", true}, {"Wi-Fi", true}, {"WI_FI", true}, {" wlan ", true},
		{"Wi-Fi 6", true}, {"wifi6e", true}, {"WiFi (5 GHz)", true}, {"802.11ac", true},
		{"LTE", false}, {"4G", false}, {"5G NR", false}, {"", false}, {"wifiphone", false},
		{"cell", false}, {"wimax", false},
	} {
		if got := IsWiFi(tc.s); got != tc.want {
			t.Errorf("IsWiFi(%q) = %v, want %v", tc.s, got, tc.want)
		}
		if tc.want {
			if _, err := ParseTech(tc.s); err == nil {
				t.Errorf("ParseTech(%q) reads a Wi-Fi spelling as a technology", tc.s)
			}
		}
	}
}
