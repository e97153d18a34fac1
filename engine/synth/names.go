package synth

import (
	"math/rand/v2"
	"slices"
	"strconv"
)

func sortByRemainder(idx []int, r func(int) float64) {
	slices.SortStableFunc(idx, func(a, b int) int {
		ra, rb := r(a), r(b)
		switch {
		case ra > rb:
			return -1
		case ra < rb:
			return 1
		}
		return a - b
	})
}

// Syllables of northern upland and lowland place names, for invented names.
var (
	uplandSyl = []string{"Nà", "Pa", "Hua", "Huổi", "Phiêng", "Nậm", "Co", "Sin", "Hồ", "Lả", "Mường", "Tà",
		"Pá", "Khun", "Lò", "Chu", "Sà", "Phìn", "Mò", "Ma", "Tông", "Bó", "Chang", "Lùng", "Xá", "Pắc",
		"Noong", "Thẳm", "Lếch", "Só", "Then", "Cang", "Luông", "Hán", "Tủng", "Khoang"}
	lowlandSyl = []string{"An", "Bình", "Phú", "Đông", "Tây", "Trung", "Thượng", "Hạ", "Yên", "Hòa",
		"Tân", "Phúc", "Lộc", "Thịnh", "Vĩnh", "Hưng", "Mỹ", "Thạnh", "Long", "Đức", "Xuân", "Lạc",
		"Nghĩa", "Quang", "Thuận", "Khánh", "Cát", "Hải", "Sơn", "Thủy"}
)

func placeName(rng *rand.Rand, upland bool) string {
	syl := lowlandSyl
	if upland {
		syl = uplandSyl
	}
	a := syl[rng.IntN(len(syl))]
	b := syl[rng.IntN(len(syl))]
	for b == a {
		b = syl[rng.IntN(len(syl))]
	}
	return a + " " + b
}

func villageName(rng *rand.Rand, upland bool, n int) string {
	if upland {
		return "Bản " + placeName(rng, true)
	}
	if rng.IntN(3) == 0 {
		return "Thôn " + strconv.Itoa(n)
	}
	return "Thôn " + placeName(rng, false)
}
