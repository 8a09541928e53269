package templates

import (
	"regexp"
	"strings"
	"unicode"
)

// Niche kinds. A channel's niche is read as one of these, so templates pick
// subjects and title patterns that fit it: "I tried it for 30 days" suits a
// cooking channel, not a history one. KindGeneral is a niche one practises
// (a hobby, a craft, a skill: "woodworking"), KindTopic one people watch or
// learn about (reviews, "X explained", science, facts, news); a niche that
// is neither known nor clearly practised is a topic one (see nicheKind).
const (
	KindFinance = "finance"
	KindCooking = "cooking"
	KindTech    = "tech"
	KindFitness = "fitness"
	KindHistory = "history"
	KindGaming  = "gaming"
	KindTravel  = "travel"
	KindStory   = "story"
	KindTopic   = "topic"
	KindGeneral = "general"
)

// kindWords find a niche's kind, tried in this order ("budget travel" is
// travel, not finance). Words of four letters or more also match the start
// of a word ("recipe" in "recipes"). Story comes last: "fitness myths" is
// fitness, "horror games" is gaming; storyWords decide between it and
// history (see nicheKind).
var kindWords = []struct {
	kind  string
	words []string
}{
	{KindTravel, []string{"travel", "trip", "backpack", "tourism", "tourist", "viaje", "viajar", "turismo", "viagem", "viagens", "viajar", "mochil"}},
	{KindHistory, []string{"histor", "histór", "ancient", "medieval", "war", "empire", "antigu", "guerra", "imperio", "império", "arqueolog", "archaeolog"}},
	{KindGaming, []string{"gaming", "game", "gamer", "esport", "speedrun", "videojuego", "videogame", "juegos", "jogos", "nintendo", "playstation", "xbox", "minecraft"}},
	{KindCooking, []string{"cook", "recipe", "food", "bake", "baki", "baker", "kitchen", "meal", "chef", "cocina", "receta", "comida", "reposter", "panader", "culinári", "receita", "cozinha", "confeitar", "gastronom"}},
	{KindFitness, []string{"fitness", "workout", "gym", "exercis", "running", "runner", "yoga", "training", "strength", "calisthenic", "bodybuild", "health", "ejercicio", "entrenamiento", "gimnasio", "correr", "salud", "treino", "academia", "exercício", "musculação", "corrida", "saúde"}},
	{KindTech, []string{"tech", "gadget", "software", "smartphone", "phone", "computer", "pc", "laptop", "programming", "coding", "code", "app", "apps", "ai", "linux", "tecnolog", "programaci", "programaç", "informátic", "celular", "computador", "ordenador"}},
	{KindFinance, []string{"financ", "money", "budget", "invest", "saving", "debt", "frugal", "dinero", "finanzas", "ahorro", "inversi", "presupuesto", "deuda", "dinheiro", "finanças", "economia", "investiment", "poupança", "orçamento", "dívida"}},
	{KindStory, append([]string{"myth", "mito$", "mitos$", "mitolog", "myster", "misteri", "mistéri", "crime", "crimen", "criminal", "enigma",
		"lore$", "ufo", "ufos", "ovni", "ovnis", "asesinat", "assassinat", "murder"}, storyWords...)},
}

// storyWords mark a story niche even where a history word occurs: in
// Spanish and Portuguese "historias"/"histórias" are stories, so
// "historias de terror" is a story channel and "história do Brasil" a
// history one; "medieval legends" tells legends. A word ending in "$"
// matches only itself ("terror", not "terrorism").
var storyWords = []string{"legend$", "legends$", "leyenda", "lenda", "ghost$", "ghosts$", "ghostly", "fantasma", "haunt", "embrujad",
	"assombra", "paranormal", "supernatural", "sobrenatural", "folklore", "folclor", "creepy", "creepypasta", "horror", "terror$",
	"scary", "spooky", "miedo", "medo$", "cryptid", "críptid", "criptid", "conspira", "unsolved", "unexplained", "inexplic", "macabr",
	"occult", "ocultis", "bruja", "bruxa", "witch", "scp", "backrooms"}

// nicheKind reads a niche as a kind: the first of kindWords that has one
// of its words, except that a history niche with a story word in it is a
// story one.
//
// A niche no kind covers is a topic one when a topic format word is in it
// ("gardening tool reviews", "woodworking facts"), else a general (skill)
// one when it names something one does (skillWords, or an English word
// ending in "ing"), else a topic one: subjects such as "where to start
// with X" and "the X myths that won't go away" read well for a hobby too,
// while "X tools" and "X practice" read wrong for "movie reviews". A story
// niche is a topic one when it reviews things ("horror movie reviews") or
// is a topic one with a myth in it ("science myths").
func nicheKind(niche string) string {
	words := strings.FieldsFunc(strings.ToLower(niche), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	// Training a pet is a skill, not a workout: "dog training" must not
	// read as fitness ("protein intake").
	if hasWord(words, petWords) && !hasWord(words, topicFormatWords) {
		return KindGeneral
	}
	for _, k := range kindWords {
		if hasWord(words, k.words) {
			switch {
			case k.kind == KindHistory && hasWord(words, storyWords):
				return KindStory
			case k.kind == KindStory && (hasWord(words, reviewWords) ||
				!hasWord(words, storyWords) && (hasWord(words, topicWords) || hasWord(words, topicFormatWords))):
				return KindTopic
			}
			return k.kind
		}
	}
	switch {
	case hasWord(words, topicFormatWords):
		return KindTopic
	case activity(words):
		return KindGeneral
	}
	return KindTopic
}

// petWords mark a niche about looking after or training animals at home.
var petWords = []string{"dog", "dogs", "puppy", "puppies", "cat$", "cats", "kitten", "pet$", "pets", "perro", "perros", "cachorro", "gato$", "gatos", "mascota", "cão$", "cães", "gatinho"}

// hasWord reports whether one of words is one of stems, or starts with a
// stem of four letters or more that does not end in "$".
func hasWord(words, stems []string) bool {
	for _, w := range words {
		for _, stem := range stems {
			exact, whole := strings.CutSuffix(stem, "$")
			if w == exact || !whole && len(stem) >= 4 && strings.HasPrefix(w, stem) {
				return true
			}
		}
	}
	return false
}

// subject is one thing a video can be about, within a niche.
//
//	Bare    the subject as a headline or tag names it ("emergency fund")
//	Your    the subject as the narration addresses it ("your emergency
//	        fund", "tu fondo de emergencia"); Spanish and Portuguese carry
//	        the possessive's number and gender here
//	Plural  the subject takes a plural verb ("index funds are")
//	Doing   the subject is an activity ("meal prep"): one can try it for
//	        thirty days, learn it, start it
type subject struct {
	Bare   string
	Your   string
	Plural bool
	Doing  bool
}

// s builds a subject: flags "p" (plural) and "d" (an activity).
func s(bare, your, flags string) subject {
	return subject{Bare: bare, Your: your, Plural: strings.Contains(flags, "p"), Doing: strings.Contains(flags, "d")}
}

// subjects are the built-in subjects by language and kind: what a package
// without a topic is about, so the niche itself is never the subject.
var subjects = map[string]map[string][]subject{
	"en": {
		KindFinance: {
			s("emergency fund", "your emergency fund", ""), s("first budget", "your first budget", ""), s("credit card debt", "your credit card debt", ""),
			s("monthly spending", "your monthly spending", ""), s("grocery spending", "your grocery spending", ""), s("index funds", "your index funds", "p"),
			s("retirement savings", "your retirement savings", "p"), s("side income", "your side income", ""), s("student loans", "your student loans", "p"),
			s("subscriptions", "your subscriptions", "p"), s("savings goals", "your savings goals", "p"), s("impulse buying", "your impulse buying", "d"),
			s("bill payments", "your bill payments", "p"), s("budgeting", "your budgeting", "d"), s("net worth tracking", "your net worth tracking", "d"),
			s("paying off debt", "paying off your debt", "d"), s("saving money", "saving money", "d"), s("money habits", "your money habits", "p"),
		},
		KindCooking: {
			s("meal prep", "your meal prep", "d"), s("knife skills", "your knife skills", "p"), s("sourdough bread", "your sourdough bread", ""),
			s("weeknight dinners", "your weeknight dinners", "p"), s("pantry staples", "your pantry staples", "p"), s("pasta sauce", "your pasta sauce", ""),
			s("batch cooking", "your batch cooking", "d"), s("roast chicken", "your roast chicken", ""), s("rice", "your rice", ""),
			s("soups", "your soups", "p"), s("baking bread", "your bread baking", "d"), s("seasoning", "your seasoning", "d"),
			s("leftovers", "your leftovers", "p"), s("breakfasts", "your breakfasts", "p"), s("vegetable sides", "your vegetable sides", "p"),
			s("cast iron cooking", "your cast iron cooking", "d"), s("lunch boxes", "your lunch boxes", "p"), s("home pizza", "your home pizza", ""),
		},
		KindTech: {
			s("home Wi-Fi", "your home Wi-Fi", ""), s("password manager", "your password manager", ""), s("phone battery life", "your phone's battery life", ""),
			s("laptop setup", "your laptop setup", ""), s("backups", "your backups", "p"), s("desk setup", "your desk setup", ""),
			s("keyboard shortcuts", "your keyboard shortcuts", "p"), s("smart home", "your smart home", ""), s("photo library", "your photo library", ""),
			s("browser extensions", "your browser extensions", "p"), s("two-factor login", "your two-factor login", ""), s("cloud storage", "your cloud storage", ""),
			s("old laptop", "your old laptop", ""), s("email inbox", "your email inbox", ""), s("home network", "your home network", ""),
			s("coding practice", "your coding practice", "d"), s("note-taking apps", "your note-taking apps", "p"), s("screen time", "your screen time", ""),
		},
		KindFitness: {
			s("strength training", "your strength training", "d"), s("morning runs", "your morning runs", "pd"), s("push-ups", "your push-ups", "pd"),
			s("mobility work", "your mobility work", "d"), s("squats", "your squats", "pd"), s("home workouts", "your home workouts", "pd"),
			s("stretching", "your stretching", "d"), s("walking", "your walking", "d"), s("protein intake", "your protein intake", ""),
			s("rest days", "your rest days", "p"), s("pull-ups", "your pull-ups", "pd"), s("workout plan", "your workout plan", ""),
			s("sleep", "your sleep", ""), s("core training", "your core training", "d"), s("posture", "your posture", ""),
			s("running form", "your running form", ""), s("warm-ups", "your warm-ups", "pd"), s("gym routine", "your gym routine", ""),
		},
		KindHistory: {
			s("fall of Rome", "the fall of Rome", ""), s("printing press", "the printing press", ""), s("Silk Road", "the Silk Road", ""),
			s("Black Death", "the Black Death", ""), s("Industrial Revolution", "the Industrial Revolution", ""), s("Library of Alexandria", "the Library of Alexandria", ""),
			s("Viking voyages", "the Viking voyages", "p"), s("Great Wall", "the Great Wall", ""), s("Inca roads", "the Inca roads", "p"),
			s("Age of Sail", "the Age of Sail", ""), s("first Olympic Games", "the first Olympic Games", "p"), s("Roman aqueducts", "the Roman aqueducts", "p"),
		},
		KindGaming: {
			s("boss fights", "boss fights", "p"), s("speedrun routes", "speedrun routes", "p"), s("aim training", "your aim training", "d"),
			s("game settings", "your game settings", "p"), s("ranked matches", "ranked matches", "p"), s("deck building", "your deck building", "d"),
			s("open-world exploration", "open-world exploration", "d"), s("co-op games", "co-op games", "p"), s("controller setup", "your controller setup", ""),
			s("indie games", "indie games", "p"), s("game backlog", "your game backlog", ""), s("retro games", "retro games", "p"),
			s("strategy games", "strategy games", "p"), s("puzzle games", "puzzle games", "p"), s("game saves", "your game saves", "p"),
		},
		KindTravel: {
			s("carry-on packing", "your carry-on packing", "d"), s("cheap flights", "cheap flights", "p"), s("train travel", "train travel", "d"),
			s("hostel stays", "hostel stays", "p"), s("travel budget", "your travel budget", ""), s("city breaks", "city breaks", "p"),
			s("jet lag", "jet lag", ""), s("travel insurance", "travel insurance", ""), s("road trips", "road trips", "p"),
			s("solo travel", "solo travel", "d"), s("travel itinerary", "your travel itinerary", ""), s("local food", "local food", ""),
			s("day hikes", "day hikes", "p"), s("off-season travel", "off-season travel", "d"), s("travel photos", "your travel photos", "p"),
		},
		KindStory: storySubjects["en"],
	},
	"es": {
		KindFinance: {
			s("fondo de emergencia", "tu fondo de emergencia", ""), s("primer presupuesto", "tu primer presupuesto", ""), s("deuda de la tarjeta", "la deuda de tu tarjeta", ""),
			s("gastos del mes", "tus gastos del mes", "p"), s("gasto en el súper", "tu gasto en el súper", ""), s("fondos indexados", "tus fondos indexados", "p"),
			s("ahorro para la jubilación", "tu ahorro para la jubilación", ""), s("ingresos extra", "tus ingresos extra", "p"), s("suscripciones", "tus suscripciones", "p"),
			s("metas de ahorro", "tus metas de ahorro", "p"), s("compras por impulso", "tus compras por impulso", "p"), s("facturas del hogar", "tus facturas", "p"),
			s("hábitos con el dinero", "tus hábitos con el dinero", "p"), s("préstamo de estudios", "tu préstamo de estudios", ""), s("cuenta de ahorro", "tu cuenta de ahorro", ""),
			s("patrimonio neto", "tu patrimonio neto", ""),
		},
		KindCooking: {
			s("meal prep", "tu meal prep", "d"), s("técnica de cuchillo", "tu técnica de cuchillo", ""), s("pan de masa madre", "tu pan de masa madre", ""),
			s("cenas entre semana", "tus cenas entre semana", "p"), s("despensa básica", "tu despensa básica", ""), s("salsa de tomate", "tu salsa de tomate", ""),
			s("cocina por lotes", "tu cocina por lotes", "d"), s("pollo asado", "tu pollo asado", ""), s("arroz", "tu arroz", ""),
			s("sopas", "tus sopas", "p"), s("pan casero", "tu pan casero", ""), s("sazón", "tu sazón", ""),
			s("sobras", "tus sobras", "p"), s("desayunos", "tus desayunos", "p"), s("guarniciones de verduras", "tus guarniciones de verduras", "p"),
			s("tortilla de patatas", "tu tortilla de patatas", ""), s("táper del trabajo", "tu táper del trabajo", ""), s("pizza casera", "tu pizza casera", ""),
		},
		KindTech: {
			s("wifi de casa", "el wifi de tu casa", ""), s("gestor de contraseñas", "tu gestor de contraseñas", ""), s("batería del móvil", "la batería de tu móvil", ""),
			s("copias de seguridad", "tus copias de seguridad", "p"), s("escritorio de trabajo", "tu escritorio de trabajo", ""), s("atajos de teclado", "tus atajos de teclado", "p"),
			s("casa inteligente", "tu casa inteligente", ""), s("fotos del móvil", "las fotos de tu móvil", "p"), s("extensiones del navegador", "las extensiones de tu navegador", "p"),
			s("verificación en dos pasos", "tu verificación en dos pasos", ""), s("almacenamiento en la nube", "tu almacenamiento en la nube", ""), s("portátil viejo", "tu portátil viejo", ""),
			s("bandeja de entrada", "tu bandeja de entrada", ""), s("red de casa", "la red de tu casa", ""), s("práctica de programación", "tu práctica de programación", "d"),
			s("tiempo de pantalla", "tu tiempo de pantalla", ""),
		},
		KindFitness: {
			s("entrenamiento de fuerza", "tu entrenamiento de fuerza", "d"), s("carreras por la mañana", "tus carreras por la mañana", "pd"), s("flexiones", "tus flexiones", "pd"),
			s("movilidad", "tu movilidad", ""), s("sentadillas", "tus sentadillas", "pd"), s("entrenos en casa", "tus entrenos en casa", "pd"),
			s("estiramientos", "tus estiramientos", "pd"), s("caminatas", "tus caminatas", "pd"), s("proteína diaria", "tu proteína diaria", ""),
			s("días de descanso", "tus días de descanso", "p"), s("dominadas", "tus dominadas", "pd"), s("plan de entrenamiento", "tu plan de entrenamiento", ""),
			s("descanso nocturno", "tu descanso nocturno", ""), s("trabajo de core", "tu trabajo de core", "d"), s("postura", "tu postura", ""),
			s("técnica de carrera", "tu técnica de carrera", ""), s("calentamiento", "tu calentamiento", ""), s("rutina de gimnasio", "tu rutina de gimnasio", ""),
		},
		KindHistory: {
			s("caída de Roma", "la caída de Roma", ""), s("imprenta", "la imprenta", ""), s("Ruta de la Seda", "la Ruta de la Seda", ""),
			s("peste negra", "la peste negra", ""), s("Revolución Industrial", "la Revolución Industrial", ""), s("Biblioteca de Alejandría", "la Biblioteca de Alejandría", ""),
			s("viajes vikingos", "los viajes vikingos", "p"), s("Gran Muralla", "la Gran Muralla", ""), s("caminos incas", "los caminos incas", "p"),
			s("acueductos romanos", "los acueductos romanos", "p"), s("primeros Juegos Olímpicos", "los primeros Juegos Olímpicos", "p"), s("al-Ándalus", "al-Ándalus", ""),
		},
		KindGaming: {
			s("jefes finales", "los jefes finales", "p"), s("rutas de speedrun", "las rutas de speedrun", "p"), s("puntería", "tu puntería", ""),
			s("ajustes del juego", "los ajustes de tu juego", "p"), s("partidas clasificatorias", "las partidas clasificatorias", "p"), s("construcción de mazos", "tu construcción de mazos", "d"),
			s("mundo abierto", "el mundo abierto", ""), s("juegos cooperativos", "los juegos cooperativos", "p"), s("configuración del mando", "la configuración de tu mando", ""),
			s("juegos indie", "los juegos indie", "p"), s("juegos pendientes", "tus juegos pendientes", "p"), s("juegos retro", "los juegos retro", "p"),
			s("juegos de estrategia", "los juegos de estrategia", "p"), s("juegos de puzles", "los juegos de puzles", "p"),
		},
		KindTravel: {
			s("equipaje de mano", "tu equipaje de mano", ""), s("vuelos baratos", "los vuelos baratos", "p"), s("viajes en tren", "los viajes en tren", "p"),
			s("albergues", "los albergues", "p"), s("presupuesto de viaje", "tu presupuesto de viaje", ""), s("escapadas urbanas", "las escapadas urbanas", "p"),
			s("jet lag", "el jet lag", ""), s("seguro de viaje", "tu seguro de viaje", ""), s("viajes por carretera", "los viajes por carretera", "p"),
			s("viajar solo", "viajar solo", "d"), s("itinerario", "tu itinerario", ""), s("comida local", "la comida local", ""),
			s("rutas de senderismo", "las rutas de senderismo", "p"), s("temporada baja", "la temporada baja", ""), s("fotos de viaje", "tus fotos de viaje", "p"),
		},
		KindStory: storySubjects["es"],
	},
	"pt": {
		KindFinance: {
			s("reserva de emergência", "sua reserva de emergência", ""), s("primeiro orçamento", "seu primeiro orçamento", ""), s("dívida do cartão", "a dívida do seu cartão", ""),
			s("gastos do mês", "seus gastos do mês", "p"), s("gasto no mercado", "seu gasto no mercado", ""), s("fundos de índice", "seus fundos de índice", "p"),
			s("previdência", "sua previdência", ""), s("renda extra", "sua renda extra", ""), s("assinaturas", "suas assinaturas", "p"),
			s("metas de poupança", "suas metas de poupança", "p"), s("compras por impulso", "suas compras por impulso", "p"), s("contas da casa", "suas contas da casa", "p"),
			s("hábitos financeiros", "seus hábitos financeiros", "p"), s("financiamento estudantil", "seu financiamento estudantil", ""), s("tesouro direto", "seu tesouro direto", ""),
			s("patrimônio", "seu patrimônio", ""),
		},
		KindCooking: {
			s("marmitas da semana", "suas marmitas da semana", "p"), s("técnica de faca", "sua técnica de faca", ""), s("pão de fermentação natural", "seu pão de fermentação natural", ""),
			s("jantares rápidos", "seus jantares rápidos", "p"), s("despensa básica", "sua despensa básica", ""), s("molho de tomate", "seu molho de tomate", ""),
			s("arroz soltinho", "seu arroz", ""), s("frango assado", "seu frango assado", ""), s("feijão", "seu feijão", ""),
			s("sopas", "suas sopas", "p"), s("pão caseiro", "seu pão caseiro", ""), s("tempero", "seu tempero", ""),
			s("sobras", "suas sobras", "p"), s("cafés da manhã", "seus cafés da manhã", "p"), s("legumes assados", "seus legumes assados", "p"),
			s("bolo caseiro", "seu bolo caseiro", ""), s("pizza caseira", "sua pizza caseira", ""), s("cozinha em lotes", "sua cozinha em lotes", "d"),
		},
		KindTech: {
			s("wi-fi de casa", "o wi-fi da sua casa", ""), s("gerenciador de senhas", "seu gerenciador de senhas", ""), s("bateria do celular", "a bateria do seu celular", ""),
			s("backups", "seus backups", "p"), s("mesa de trabalho", "sua mesa de trabalho", ""), s("atalhos de teclado", "seus atalhos de teclado", "p"),
			s("casa inteligente", "sua casa inteligente", ""), s("fotos do celular", "as fotos do seu celular", "p"), s("extensões do navegador", "as extensões do seu navegador", "p"),
			s("verificação em duas etapas", "sua verificação em duas etapas", ""), s("armazenamento na nuvem", "seu armazenamento na nuvem", ""), s("notebook antigo", "seu notebook antigo", ""),
			s("caixa de entrada", "sua caixa de entrada", ""), s("rede de casa", "a rede da sua casa", ""), s("prática de programação", "sua prática de programação", "d"),
			s("tempo de tela", "seu tempo de tela", ""),
		},
		KindFitness: {
			s("treino de força", "seu treino de força", "d"), s("corridas de manhã", "suas corridas de manhã", "pd"), s("flexões", "suas flexões", "pd"),
			s("mobilidade", "sua mobilidade", ""), s("agachamentos", "seus agachamentos", "pd"), s("treinos em casa", "seus treinos em casa", "pd"),
			s("alongamentos", "seus alongamentos", "pd"), s("caminhadas", "suas caminhadas", "pd"), s("proteína do dia", "sua proteína do dia", ""),
			s("dias de descanso", "seus dias de descanso", "p"), s("barra fixa", "sua barra fixa", "d"), s("plano de treino", "seu plano de treino", ""),
			s("sono", "seu sono", ""), s("treino de core", "seu treino de core", "d"), s("postura", "sua postura", ""),
			s("técnica de corrida", "sua técnica de corrida", ""), s("aquecimento", "seu aquecimento", ""), s("rotina de academia", "sua rotina de academia", ""),
		},
		KindHistory: {
			s("queda de Roma", "a queda de Roma", ""), s("imprensa de Gutenberg", "a imprensa de Gutenberg", ""), s("Rota da Seda", "a Rota da Seda", ""),
			s("peste negra", "a peste negra", ""), s("Revolução Industrial", "a Revolução Industrial", ""), s("Inconfidência Mineira", "a Inconfidência Mineira", ""),
			s("ciclo do ouro", "o ciclo do ouro", ""), s("Grandes Navegações", "as Grandes Navegações", "p"), s("Independência do Brasil", "a Independência do Brasil", ""),
			s("Quilombo dos Palmares", "o Quilombo dos Palmares", ""), s("Guerra do Paraguai", "a Guerra do Paraguai", ""), s("Era Vargas", "a Era Vargas", ""),
		},
		KindGaming: {
			s("chefões", "os chefões", "p"), s("rotas de speedrun", "as rotas de speedrun", "p"), s("mira", "sua mira", ""),
			s("configurações do jogo", "as configurações do seu jogo", "p"), s("partidas ranqueadas", "as partidas ranqueadas", "p"), s("montagem de deck", "sua montagem de deck", "d"),
			s("mundo aberto", "o mundo aberto", ""), s("jogos cooperativos", "os jogos cooperativos", "p"), s("configuração do controle", "a configuração do seu controle", ""),
			s("jogos indie", "os jogos indie", "p"), s("backlog de jogos", "seu backlog de jogos", ""), s("jogos retrô", "os jogos retrô", "p"),
			s("jogos de estratégia", "os jogos de estratégia", "p"), s("jogos de quebra-cabeça", "os jogos de quebra-cabeça", "p"),
		},
		KindTravel: {
			s("bagagem de mão", "sua bagagem de mão", ""), s("passagens baratas", "as passagens baratas", "p"), s("viagens de trem", "as viagens de trem", "p"),
			s("hostels", "os hostels", "p"), s("orçamento de viagem", "seu orçamento de viagem", ""), s("bate-voltas", "os bate-voltas", "p"),
			s("jet lag", "o jet lag", ""), s("seguro viagem", "seu seguro viagem", ""), s("viagens de carro", "as viagens de carro", "p"),
			s("viajar sozinho", "viajar sozinho", "d"), s("roteiro de viagem", "seu roteiro de viagem", ""), s("comida local", "a comida local", ""),
			s("trilhas", "as trilhas", "p"), s("baixa temporada", "a baixa temporada", ""), s("fotos de viagem", "suas fotos de viagem", "p"),
		},
		KindStory: storySubjects["pt"],
	},
}

// generalSubjects make subjects for a niche no kind covers, from the niche
// itself: "woodworking" gives "first woodworking project" and so on, never
// the bare niche.
var generalSubjects = map[string][]subject{
	"en": {s("first {n} project", "your first {n} project", ""), s("{n} basics", "the {n} basics", "p"), s("{n} routine", "your {n} routine", ""),
		s("{n} tools", "your {n} tools", "p"), s("{n} habits", "your {n} habits", "p"), s("{n} on a budget", "{n} on a budget", "d"),
		s("{n} practice", "your {n} practice", "d"), s("{n} setup", "your {n} setup", ""), s("{n} goals", "your {n} goals", "p")},
	"es": {s("primer proyecto de {n}", "tu primer proyecto de {n}", ""), s("bases de {n}", "las bases de {n}", "p"), s("rutina de {n}", "tu rutina de {n}", ""),
		s("herramientas de {n}", "tus herramientas de {n}", "p"), s("hábitos de {n}", "tus hábitos de {n}", "p"), s("práctica de {n}", "tu práctica de {n}", "d"),
		s("material de {n}", "tu material de {n}", ""), s("metas de {n}", "tus metas de {n}", "p")},
	"pt": {s("primeiro projeto de {n}", "seu primeiro projeto de {n}", ""), s("básico de {n}", "o básico de {n}", ""), s("rotina de {n}", "sua rotina de {n}", ""),
		s("ferramentas de {n}", "suas ferramentas de {n}", "p"), s("hábitos de {n}", "seus hábitos de {n}", "p"), s("prática de {n}", "sua prática de {n}", "d"),
		s("material de {n}", "seu material de {n}", ""), s("metas de {n}", "suas metas de {n}", "p")},
}

// subjectsFor lists the subjects of a niche in a language.
func subjectsFor(lang, niche string) []subject {
	kind := nicheKind(niche)
	if list := subjects[lang][kind]; len(list) > 0 {
		return list
	}
	if kind == KindTopic {
		return topicSubjectsFor(lang, niche)
	}
	n := strings.ToLower(nicheLabel(niche))
	var out []subject
	for _, g := range generalSubjects[lang] {
		out = append(out, subject{Bare: strings.ReplaceAll(g.Bare, "{n}", n), Your: strings.ReplaceAll(g.Your, "{n}", n), Plural: g.Plural, Doing: g.Doing})
	}
	return out
}

// lookupSubject finds bare among the subjects of niche in lang, ignoring
// case; a subject not found is read as written: plural when it ends in a
// plural s, an activity when it is a gerund.
func lookupSubject(lang, niche, bare string) subject {
	for _, sub := range subjectsFor(lang, niche) {
		if strings.EqualFold(sub.Bare, bare) || strings.EqualFold(sub.Your, bare) {
			return sub
		}
	}
	b := strings.TrimSpace(bare)
	last := strings.ToLower(lastField(b))
	plural := strings.HasSuffix(last, "s") && !strings.HasSuffix(last, "ss") && !strings.HasSuffix(last, "us") && !strings.HasSuffix(last, "is") &&
		len(last) > 3 && lang == "en"
	if lang == "es" || lang == "pt" {
		plural = strings.HasSuffix(last, "s") && len(last) > 3 && !strings.HasSuffix(last, "és") && !strings.HasSuffix(last, "ís")
	}
	doing := lang == "en" && strings.HasSuffix(strings.ToLower(firstField(b)), "ing")
	return subject{Bare: b, Your: b, Plural: plural, Doing: doing}
}

// maxNicheWords is the most words a niche is used with as written; a
// longer one is shortened to its head (nicheLabel).
const maxNicheWords = 4

var (
	// nicheList ends the first item of a niche written as a list.
	nicheList = regexp.MustCompile(`\s*[,;:(\[—–|/].*$`)
	// nicheClause ends the head of a niche written as a sentence: "ghost
	// stories told on the night bus", "recetas para estudiantes".
	nicheClause = regexp.MustCompile(`(?i)\s+(told|that|which|who|for|from|with|about|on|in|at|and|or|que|para|con|com|sobre|y|e|o|ou|en|em|contad[oa]s?|narrad[oa]s?)\s.*$`)
)

// nicheLabel is how titles, tags and narration name a niche: the niche as
// written when it is short, else its head: "urban legends, ghost stories
// and unexplained local mysteries told on the last night bus home" is
// "urban legends". Glued into a title or a tag, a whole sentence makes it
// too long to use.
func nicheLabel(niche string) string {
	n := strings.Join(strings.Fields(niche), " ")
	if len(strings.Fields(n)) <= maxNicheWords && !nicheList.MatchString(n) {
		return n
	}
	if head := strings.TrimSpace(nicheList.ReplaceAllString(n, "")); head != "" {
		n = head
	}
	for len(strings.Fields(n)) > maxNicheWords {
		head := strings.TrimSpace(nicheClause.ReplaceAllString(n, ""))
		if head == "" || head == n {
			break
		}
		n = head
	}
	if w := strings.Fields(n); len(w) > maxNicheWords {
		n = strings.Join(w[:maxNicheWords], " ")
	}
	return n
}

func lastField(s string) string {
	f := strings.Fields(s)
	if len(f) == 0 {
		return ""
	}
	return f[len(f)-1]
}

// audienceCut ends a short audience label: "busy parents who want to cook"
// becomes "busy parents".
var audienceCut = regexp.MustCompile(`(?i)\s+(who|that|which|with|looking|trying|wanting|in their|in the|from|on a|que|quem|con|com|de entre|interesad[oa]s|buscando|querendo|a partir)\b.*$|[,;:(].*$`)

// fallbackWho is the label when the channel names no short audience.
var fallbackWho = map[string]string{"en": "beginners", "es": "principiantes", "pt": "iniciantes"}

// audienceLabel turns a channel's audience into a label of at most three
// words to address viewers by ("busy parents"), or a neutral one.
func audienceLabel(audience, lang string) string {
	a := strings.TrimSpace(audienceCut.ReplaceAllString(strings.TrimSpace(audience), ""))
	a = strings.TrimSuffix(strings.TrimSuffix(a, "."), "!")
	w := strings.Fields(a)
	if len(w) == 0 || len(w) > 3 || strings.EqualFold(a, "viewers") || strings.IndexFunc(a, unicode.IsDigit) >= 0 {
		if f, ok := fallbackWho[lang]; ok {
			return f
		}
		return fallbackWho["en"]
	}
	return lowerFirst(a)
}

// kindWords of the narration, by language and kind: the next time one does
// the thing, a good result, and what people buy instead of practising.
var kindVocab = map[string]map[string][3]string{
	"en": {
		KindFinance: {"the next time you check your accounts", "a plan you can keep", "apps"},
		KindCooking: {"the next time you cook", "a dish you're proud of", "gadgets"},
		KindTech:    {"the next time you sit down at your computer", "a setup that just works", "new hardware"},
		KindFitness: {"in your next workout", "a routine you can repeat", "equipment"},
		KindHistory: {"the next time the subject comes up", "a story you can retell", "trivia"},
		KindGaming:  {"in your next session", "a run you're proud of", "new gear"},
		KindTravel:  {"on your next trip", "a trip that goes to plan", "gear"},
		KindStory:   {"the next time someone tells it", "a story worth retelling", "props"},
		KindTopic:   {"the next time the subject comes up", "an answer you can explain to a friend", "hot takes"},
		KindGeneral: {"the next time you sit down to it", "a result you can show", "gear"},
	},
	"es": {
		KindFinance: {"la próxima vez que revises tus cuentas", "un plan que puedas mantener", "aplicaciones"},
		KindCooking: {"la próxima vez que cocines", "un plato del que estés orgulloso", "aparatos"},
		KindTech:    {"la próxima vez que te sientes al ordenador", "una configuración que simplemente funcione", "aparatos nuevos"},
		KindFitness: {"en tu próximo entreno", "una rutina que puedas repetir", "material"},
		KindHistory: {"la próxima vez que salga el tema", "una historia que puedas contar", "datos sueltos"},
		KindGaming:  {"en tu próxima partida", "una partida de la que estés orgulloso", "periféricos nuevos"},
		KindTravel:  {"en tu próximo viaje", "un viaje que salga según el plan", "material"},
		KindStory:   {"la próxima vez que alguien la cuente", "una historia que valga la pena contar", "efectos"},
		KindTopic:   {"la próxima vez que salga el tema", "una respuesta que puedas explicarle a un amigo", "opiniones rápidas"},
		KindGeneral: {"la próxima vez que te pongas con ello", "un resultado que puedas enseñar", "material"},
	},
	"pt": {
		KindFinance: {"na próxima vez que olhar suas contas", "um plano que você consiga manter", "aplicativos"},
		KindCooking: {"na próxima vez que cozinhar", "um prato do qual você se orgulhe", "utensílios"},
		KindTech:    {"na próxima vez que sentar no computador", "uma configuração que simplesmente funciona", "aparelhos novos"},
		KindFitness: {"no seu próximo treino", "uma rotina que você consiga repetir", "equipamento"},
		KindHistory: {"na próxima vez que o assunto aparecer", "uma história que você consiga recontar", "curiosidades soltas"},
		KindGaming:  {"na sua próxima partida", "uma partida da qual você se orgulhe", "periféricos novos"},
		KindTravel:  {"na sua próxima viagem", "uma viagem que sai como planejado", "equipamento"},
		KindStory:   {"na próxima vez que alguém contar", "uma história que vale a pena recontar", "efeitos"},
		KindTopic:   {"na próxima vez que o assunto aparecer", "uma resposta que você consiga explicar para um amigo", "opiniões rápidas"},
		KindGeneral: {"na próxima vez que se dedicar a isso", "um resultado que você possa mostrar", "equipamento"},
	},
}
