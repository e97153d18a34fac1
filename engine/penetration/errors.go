package penetration

import (
	"fmt"

	"github.com/lomsong/lomsong/engine"
)

var (
	errInvalid = engine.ErrInvalidValue
	errConfig  = engine.ErrInvalidConfig
)

func configErr(format string, a ...any) error {
	return fmt.Errorf("penetration: "+format+": %w", append(a, errConfig)...)
}
