package templates

import (
	"testing"

	"tubeagency/providers"
)

func TestNicheKind(t *testing.T) {
	for niche, want := range map[string]string{
		"personal finance": KindFinance, "finanças pessoais": KindFinance, "home cooking": KindCooking, "cocina fácil": KindCooking,
		"budget travel": KindTravel, "Brazilian history": KindHistory, "história do Brasil": KindHistory, "retro gaming": KindGaming,
		"fitness en casa": KindFitness, "tecnologia": KindTech, "woodworking": KindGeneral, "warm-up drills": KindGeneral,
	} {
		if got := nicheKind(niche); got != want {
			t.Errorf("nicheKind(%q) = %s, want %s", niche, got, want)
		}
	}
}

func TestAudienceLabel(t *testing.T) {
	for in, want := range map[string]string{
		"busy parents":                         "busy parents",
		"busy parents who want to cook faster": "busy parents",
		"young professionals in their 20s who want to stop living paycheck to paycheck": "young professionals",
		"people aged 18-25":                     "beginners",
		"":                                      "beginners",
		"Students, teachers and anyone curious": "students",
		"estudiantes con poco tiempo y poco dinero":    "estudiantes",
		"adultos de 30 a 50 años que entrenan en casa": "principiantes",
	} {
		lang := "en"
		if in == "estudiantes con poco tiempo y poco dinero" || in == "adultos de 30 a 50 años que entrenan en casa" {
			lang = "es"
		}
		if got := audienceLabel(in, lang); got != want {
			t.Errorf("audienceLabel(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFillAgreesAndContracts(t *testing.T) {
	d := newData(providers.Request{Topic: "", Channel: providers.Channel{Niche: "história do Brasil", Language: "pt-BR"}}, 1, 2026)
	d = d.With("Grandes Navegações")
	if got := d.Fill("A história {de:s}: por que {s} {v:importa|importam}, {em:s} e {a:s}"); got !=
		"A história das Grandes Navegações: por que as Grandes Navegações importam, nas Grandes Navegações e às Grandes Navegações" {
		t.Fatalf("pt: %q", got)
	}
	es := newData(providers.Request{Channel: providers.Channel{Niche: "tecnología", Language: "es"}}, 1, 2026).With("wifi de casa")
	if got := es.Fill("Mejora {s}: la velocidad {de:s}, de {m}. {B} {x} {v:broken}"); got != "Mejora el wifi de tu casa: la velocidad del wifi de tu casa, de el wifi de mi casa. Wifi de casa {x} {v:broken}" {
		t.Fatalf("es: %q", got)
	}
	en := newData(providers.Request{Channel: providers.Channel{Niche: "personal finance", Language: "en"}}, 1, 2026).With("index funds")
	if got := en.Fill("Why {s} {v:matters|matter}, and {m}"); got != "Why your index funds matter, and my index funds" {
		t.Fatalf("en: %q", got)
	}
}
