package app

import "net/http"

// HTTPHandlers are extra routes serve mode mounts beside the API.
func (rt *Runtime) HTTPHandlers() map[string]http.Handler {
	return map[string]http.Handler{
		"GET /healthz":                        rt.healthHandler(),
		"GET /metrics":                        rt.metricsHandler(),
		"GET /api/audio/{file}":               rt.AudioHandler(),
		"GET /api/render/{id}/{kind}":         rt.RenderHandler(),
		"GET /api/export/{id}/{format}":       rt.ExportHandler(),
		"POST /api/insights/import/{channel}": rt.InsightsImportHandler(),
		"POST /api/publish/export/{package}":  rt.PublishExportHandler(),
	}
}
