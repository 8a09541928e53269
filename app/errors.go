package app

import (
	"context"
	"errors"

	"tubeagency/app/render"
	"tubeagency/app/server"
	"tubeagency/internal/store"
)

// ErrorBody is how an error reaches the frontend, in the desktop (through
// Wails' error formatter) and in serve mode alike.
type ErrorBody = server.ErrorBody

// Error codes.
const (
	CodeInvalid  = "invalid"
	CodeNotFound = "not_found"
	CodeTimeout  = "timeout"
	CodeInternal = "internal"
	// CodeUnavailable: the action does not exist where the app runs (a
	// file dialog in serve mode, a render without ffmpeg).
	CodeUnavailable = "unavailable"
)

// FormatError turns err into an ErrorBody the frontend can show next to
// the field it belongs to.
func FormatError(err error) ErrorBody {
	var fe *FieldError
	var pe *PublishError
	switch {
	case errors.As(err, &fe):
		return ErrorBody{Code: CodeInvalid, Message: fe.Error(), Fields: map[string]string{fe.Field: fe.Message}}
	case errors.Is(err, store.ErrNotFound):
		return ErrorBody{Code: CodeNotFound, Message: err.Error()}
	case errors.As(err, &pe):
		return ErrorBody{Code: pe.Code, Message: pe.Message}
	case errors.Is(err, ErrNoDialogs), errors.Is(err, ErrNoWindow), errors.Is(err, ErrNoUpdates),
		errors.Is(err, render.ErrNoFFmpeg), errors.Is(err, render.ErrFFmpegFeatures):
		return ErrorBody{Code: CodeUnavailable, Message: err.Error()}
	case errors.Is(err, context.DeadlineExceeded):
		return ErrorBody{Code: CodeTimeout, Message: "the operation took too long and was stopped: try again"}
	default:
		return ErrorBody{Code: CodeInternal, Message: err.Error()}
	}
}

// HTTPStatus is the status serve mode answers err with.
func HTTPStatus(err error) int {
	if pe := (*PublishError)(nil); errors.As(err, &pe) {
		return pe.HTTPStatus()
	}
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
