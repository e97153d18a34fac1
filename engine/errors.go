package engine

import "errors"

// Error classes. Callers test them with errors.Is; the messages that wrap
// them say which file, row, column and value were at fault.
var (
	// ErrInvalidValue marks a value that does not satisfy the input contract.
	ErrInvalidValue = errors.New("invalid value")
	// ErrMissingColumn marks an input table that lacks a required column.
	ErrMissingColumn = errors.New("missing column")
	// ErrUnsupportedFormat marks a file lomsong cannot read.
	ErrUnsupportedFormat = errors.New("unsupported format")
	// ErrOutOfRange marks a parameter outside a model's validity range.
	ErrOutOfRange = errors.New("out of validity range")
	// ErrInvalidConfig marks a configuration that fails Validate.
	ErrInvalidConfig = errors.New("invalid configuration")
)
