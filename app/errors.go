package app

import (
	"context"
	"errors"
)

// ErrorBody is how an error reaches the frontend, in the desktop (through
// Wails' error formatter) and in serve mode alike.
type ErrorBody struct {
	Error string `json:"error"`
	Field string `json:"field,omitempty"`
	Code  string `json:"code"`
}

// Error codes.
const (
	CodeInvalid  = "invalid"
	CodeNotFound = "not_found"
	CodeTimeout  = "timeout"
	CodeInternal = "internal"
	// CodeUnavailable: the action does not exist where the app runs (a
	// file dialog in serve mode).
	CodeUnavailable = "unavailable"
)

// FormatError turns err into an ErrorBody the frontend can show next to
// the field it belongs to.
func FormatError(err error) ErrorBody {
	var fe *FieldError
	switch {
	case errors.As(err, &fe):
		return ErrorBody{Error: fe.Error(), Field: fe.Field, Code: CodeInvalid}
	case errors.Is(err, ErrNotFound):
		return ErrorBody{Error: err.Error(), Code: CodeNotFound}
	case errors.Is(err, ErrNoDialogs):
		return ErrorBody{Error: err.Error(), Code: CodeUnavailable}
	case errors.Is(err, context.DeadlineExceeded):
		return ErrorBody{Error: "the operation took too long and was stopped: try again", Code: CodeTimeout}
	default:
		return ErrorBody{Error: err.Error(), Code: CodeInternal}
	}
}

// HTTPStatus is the status serve mode answers err with.
func HTTPStatus(err error) int {
	switch FormatError(err).Code {
	case CodeInvalid:
		return 422
	case CodeNotFound:
		return 404
	case CodeTimeout:
		return 504
	case CodeUnavailable:
		return 409
	default:
		return 500
	}
}

// BodyLimit is the largest request body serve mode accepts for a call of
// method: small for every method but the one that takes a pasted table.
func BodyLimit(method string) int64 {
	switch method {
	case "ImportStudioCSV":
		return MaxCSVBytes + 64<<10
	default:
		return 1 << 20
	}
}
