package app

import "strings"

// Language is one language a channel can be made in.
type Language struct {
	// Code is the BCP 47 tag stored on the channel ("en", "pt-BR").
	Code string `json:"code"`
	// Name is the language's name in English, Native its own name for itself.
	Name   string `json:"name"`
	Native string `json:"native"`
	// Templates is true when the local templates write in it. A channel in
	// another language needs an AI provider (or a local model) turned on:
	// without one, creating it is refused rather than written in English.
	Templates bool `json:"templates"`
}

// languages are the languages a channel can be made in: the ones AI
// providers write well and YouTube audiences are large in. The built-in
// templates write English, Spanish and Portuguese (by the primary subtag);
// Languages asks the templates in use, so a user's own files for another
// language count too.
var languages = []Language{
	{"en", "English", "English", true},
	{"en-GB", "English (United Kingdom)", "English (UK)", true},
	{"es", "Spanish", "Español", true},
	{"es-MX", "Spanish (Mexico)", "Español (México)", true},
	{"pt", "Portuguese", "Português", true},
	{"pt-BR", "Portuguese (Brazil)", "Português (Brasil)", true},
	{"pt-PT", "Portuguese (Portugal)", "Português (Portugal)", true},
	{"fr", "French", "Français", false},
	{"de", "German", "Deutsch", false},
	{"it", "Italian", "Italiano", false},
	{"nl", "Dutch", "Nederlands", false},
	{"sv", "Swedish", "Svenska", false},
	{"nb", "Norwegian", "Norsk bokmål", false},
	{"da", "Danish", "Dansk", false},
	{"fi", "Finnish", "Suomi", false},
	{"pl", "Polish", "Polski", false},
	{"cs", "Czech", "Čeština", false},
	{"ro", "Romanian", "Română", false},
	{"hu", "Hungarian", "Magyar", false},
	{"el", "Greek", "Ελληνικά", false},
	{"tr", "Turkish", "Türkçe", false},
	{"ru", "Russian", "Русский", false},
	{"uk", "Ukrainian", "Українська", false},
	{"ar", "Arabic", "العربية", false},
	{"he", "Hebrew", "עברית", false},
	{"fa", "Persian", "فارسی", false},
	{"hi", "Hindi", "हिन्दी", false},
	{"bn", "Bengali", "বাংলা", false},
	{"ur", "Urdu", "اردو", false},
	{"mr", "Marathi", "मराठी", false},
	{"ta", "Tamil", "தமிழ்", false},
	{"te", "Telugu", "తెలుగు", false},
	{"id", "Indonesian", "Bahasa Indonesia", false},
	{"ms", "Malay", "Bahasa Melayu", false},
	{"fil", "Filipino", "Filipino", false},
	{"vi", "Vietnamese", "Tiếng Việt", false},
	{"th", "Thai", "ไทย", false},
	{"ja", "Japanese", "日本語", false},
	{"ko", "Korean", "한국어", false},
	{"zh-CN", "Chinese (Simplified)", "简体中文", false},
	{"zh-TW", "Chinese (Traditional)", "繁體中文", false},
	{"sw", "Swahili", "Kiswahili", false},
}

// Languages lists the languages a channel can be made in, in the order
// the channel form offers them, each saying whether the templates in use
// write it.
func (a *App) Languages() ([]Language, error) {
	out := append([]Language(nil), languages...)
	if p := a.rt.providers; p != nil && p.templates != nil {
		for i := range out {
			out[i].Templates = p.templates.Covers(out[i].Code)
		}
	}
	return out, nil
}

// language returns the listed language whose code is code, ignoring case.
func language(code string) (Language, bool) {
	for _, l := range languages {
		if strings.EqualFold(l.Code, code) {
			return l, true
		}
	}
	return Language{}, false
}
