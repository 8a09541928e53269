package templates

// storySubjects are the subjects of a story channel (urban legends,
// unsolved mysteries, true crime, ghost stories, folklore): a place, a
// case, a thing or a person a story is told about, written so that they
// fit any such channel and claim nothing. Bare is what a tag or a
// thumbnail names ("haunted house"); Your is what the narration tells the
// story of ("the house nobody buys"), with its article, so that "the story
// of {s}" and "la historia {de:s}" read right. The templates speak of "the
// story" or "la leyenda" rather than of the subject where an adjective
// would have to agree with it.
var storySubjects = map[string][]subject{
	"en": {
		s("haunted house", "the house nobody buys", ""), s("hitchhiker legend", "the hitchhiker on the empty road", ""),
		s("unsolved case", "the case that was never closed", ""), s("strange photo", "the photo that started it all", ""),
		s("disappearance", "the disappearance nobody could explain", ""), s("haunted road", "the road people avoid at night", ""),
		s("forgotten witness", "the witness nobody believed", ""), s("forbidden name", "the name nobody says out loud", ""),
		s("old diary", "the diary found years later", ""), s("locked room", "the room that stays locked", ""),
		s("family legend", "the warning grandparents still give", ""), s("strange lights", "the lights over the hills", "p"),
		s("creature sighting", "the creature in the woods", ""), s("night call", "the phone call in the middle of the night", ""),
		s("abandoned building", "the empty building at the edge of town", ""), s("town secret", "the town that stopped talking about it", ""),
		s("anonymous letter", "the letter nobody signed", ""), s("last sighting", "the last person who saw them", ""),
		s("mirror legend", "the mirror nobody looks into after dark", ""), s("school legend", "the classroom nobody uses", ""),
	},
	"es": {
		s("casa embrujada", "la casa que nadie compra", ""), s("leyenda del autoestopista", "el autoestopista de la carretera vacía", ""),
		s("caso sin resolver", "el caso que nunca se cerró", ""), s("foto misteriosa", "la foto con la que empezó todo", ""),
		s("desaparición misteriosa", "la desaparición que nadie supo explicar", ""), s("carretera maldita", "la carretera que nadie toma de noche", ""),
		s("testigo olvidado", "el testigo al que nadie creyó", ""), s("nombre prohibido", "el nombre que nadie dice en voz alta", ""),
		s("diario antiguo", "el diario que apareció años después", ""), s("habitación cerrada", "la habitación que siempre está cerrada", ""),
		s("leyenda familiar", "la advertencia de los abuelos", ""), s("luces extrañas", "las luces sobre el monte", "p"),
		s("criatura del bosque", "la criatura del bosque", ""), s("llamada de madrugada", "la llamada de madrugada", ""),
		s("edificio abandonado", "el edificio vacío a las afueras del pueblo", ""), s("secreto del pueblo", "el pueblo que dejó de hablar del tema", ""),
		s("carta anónima", "la carta sin firma", ""), s("último avistamiento", "la última persona que los vio", ""),
		s("leyenda del espejo", "el espejo en el que nadie se mira de noche", ""), s("leyenda escolar", "el aula que nadie usa", ""),
	},
	"pt": {
		s("casa mal-assombrada", "a casa que ninguém compra", ""), s("lenda do caroneiro", "o caroneiro da estrada vazia", ""),
		s("caso não resolvido", "o caso que nunca foi encerrado", ""), s("foto misteriosa", "a foto que começou tudo", ""),
		s("desaparecimento misterioso", "o desaparecimento que ninguém soube explicar", ""), s("estrada assombrada", "a estrada que ninguém pega à noite", ""),
		s("testemunha esquecida", "a testemunha em quem ninguém acreditou", ""), s("nome proibido", "o nome que ninguém diz em voz alta", ""),
		s("diário antigo", "o diário encontrado anos depois", ""), s("quarto trancado", "o quarto que fica sempre trancado", ""),
		s("lenda de família", "o aviso que os avós repetem", ""), s("luzes estranhas", "as luzes sobre o morro", "p"),
		s("criatura da mata", "a criatura da mata", ""), s("ligação de madrugada", "a ligação de madrugada", ""),
		s("prédio abandonado", "o prédio vazio na saída da cidade", ""), s("segredo da cidade", "a cidade que parou de falar no assunto", ""),
		s("carta anônima", "a carta sem assinatura", ""), s("último avistamento", "a última pessoa que os viu", ""),
		s("lenda do espelho", "o espelho em que ninguém se olha à noite", ""), s("lenda da escola", "a sala de aula que ninguém usa", ""),
	},
}

// storyCTAs close a story video: a story channel asks for versions and
// subscribers, not for "if this helped".
func storyCTAs(lang string) []string {
	switch lang {
	case "es":
		return []string{"Suscríbete para no perderte la próxima historia.", "Si conoces otra versión, déjala en los comentarios y suscríbete para la próxima.",
			"Suscríbete si quieres más historias como esta."}
	case "pt":
		return []string{"Inscreva-se para não perder a próxima história.", "Se você conhece outra versão, deixe nos comentários e se inscreva para a próxima.",
			"Inscreva-se se quiser mais histórias como esta."}
	default:
		return []string{"Subscribe so you don't miss the next story.", "If you know another version, leave it in the comments, and subscribe for the next one.",
			"Subscribe if you'd like more stories like this one."}
	}
}
