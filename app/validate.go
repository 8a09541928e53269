package app

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// FieldError is a validation failure of one input field. Its message is a
// sentence the user can act on, and Field names the input it belongs to.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

// checker collects the first error of a chain of field checks.
type checker struct{ err *FieldError }

func (c *checker) fail(field, format string, args ...any) {
	if c.err == nil {
		c.err = &FieldError{Field: field, Message: fmt.Sprintf(format, args...)}
	}
}

// text checks a free-text field: valid UTF-8, no control characters but
// newlines and tabs, required when min > 0, at most max characters.
func (c *checker) text(field, value string, min, max int) {
	if c.err != nil {
		return
	}
	if !utf8.ValidString(value) {
		c.fail(field, "is not valid UTF-8 text")
		return
	}
	for _, r := range value {
		if r < 0x20 && r != '\n' && r != '\t' && r != '\r' || r == 0x7f {
			c.fail(field, "contains a control character")
			return
		}
	}
	n := utf8.RuneCountInString(strings.TrimSpace(value))
	if min > 0 && n == 0 {
		c.fail(field, "is required")
		return
	}
	if n < min {
		c.fail(field, "must be at least %d characters", min)
		return
	}
	if utf8.RuneCountInString(value) > max {
		c.fail(field, "must be at most %d characters", max)
	}
}

// count checks the number of entries of a collection field.
func (c *checker) count(field string, n, max int) {
	if c.err == nil && n > max {
		c.fail(field, "has %d entries: at most %d are allowed", n, max)
	}
}

func (c *checker) oneOf(field, value string, allowed ...string) {
	if c.err != nil {
		return
	}
	for _, a := range allowed {
		if value == a {
			return
		}
	}
	c.fail(field, "must be one of %s", strings.Join(allowed, ", "))
}

func (c *checker) number(field string, v, min, max float64) {
	if c.err != nil {
		return
	}
	if v != v || v < min || v > max { // v != v catches NaN
		c.fail(field, "must be between %g and %g", min, max)
	}
}

func (c *checker) check() error {
	if c.err == nil {
		return nil
	}
	return c.err
}
