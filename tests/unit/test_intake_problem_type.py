"""Problem type from the domain's vocabulary: the thing, the operation and the symptom in any of
the domain's languages; error codes outweigh words; a ticket naming nothing gets the fallback."""

from __future__ import annotations

import pytest
from intake_reading import KESTREL, LUMEN, read

from services.intake.vocabulary import IntakeVocabulary
from supportflow.domain.models import ProblemType, Vocabulary


def _type(vocabulary: IntakeVocabulary, subject: str, body: str) -> str | None:
    return read(vocabulary, body, subject=subject).problem_type


@pytest.mark.parametrize(
    ("subject", "body", "family"),
    [
        ("Fattura sbagliata", "La fattura di ottobre riporta la partita IVA sbagliata.", "billing"),
        ("Factuur klopt niet", "Op de factuur van oktober staat het verkeerde btw-nummer.", "billing"),
        ("Exportação falha", "A exportação para CSV do relatório falha desde ontem.", "export"),
        ("Rollen", "Unsere Nutzer mit der Rolle Viewer sehen nichts mehr.", "permissions"),
        ("Dúvida", "Os envios em lote de eventos devolvem erro desde as 9h.", "ingest"),
        ("Ayuda", "Error BATCH_TOO_LARGE otra vez", "ingest"),
        (
            "Doppelte Abbuchung",
            "Wir wurden diesen Monat zweimal belastet, bitte erstatten Sie das.",
            "billing",
        ),
        ("Événements", "Depuis hier nos événements n'arrivent plus dans Lumen.", "ingest"),
        ("RV: error al subir ficheros", "Cuando subo el CSV al workspace me sale un error.", "ingest"),
        (
            "Fwd: convite expirado",
            "Recebi o convite pro workspace mas quando clico aparece um erro.",
            "permissions",
        ),
        (
            "Buco nei dati",
            "Il grafico degli eventi mostra zero domenica mattina dalle 3 alle 7.",
            "data_missing",
        ),
        (
            "chat",
            "los tableros están tardando muchísimo desde las 8:30, cada widget tarda 40 seg",
            "performance",
        ),
        # events that stopped showing up, and numbers that seem undercounted, are missing data;
        # a report taking more than a minute is slowness
        ("Re: [#123] old issue", 'Our iOS "signup" events stopped showing up yesterday.', "data_missing"),
        ("numbers", "I think Lumen is undercounting compared to Shopify.", "data_missing"),
        ("chat", "hier chaque rapport mettait plus d'une minute à s'afficher", "performance"),
        # however slowness is told: everything "crawling", "dauert gefühlt alles ewig", "blijft laden"
        ("Everything crawling", "Since 11 Lumen has been crawling for all six of us.", "performance"),
        (
            "Berichte",
            "Seit gestern dauert gefühlt alles ewig, die Übersicht braucht 50 Sekunden.",
            "performance",
        ),
        ("Rapporten", "Het overzicht blijft laden, al sinds vanochtend.", "performance"),
        # the events customers send are what ingestion takes in, in every language
        (
            "Eventos con hora equivocada",
            "Desde anteayer los eventos aparecen con 6 horas de diferencia.",
            "ingest",
        ),
        ("Help", "Our collector answers 400 to everything since last night.", "ingest"),
        # "perform" is no slowness
        (
            "Alerts",
            'Creating an alert says "You do not have permission to perform this action".',
            "permissions",
        ),
        # visits or sessions said to be none are missing data
        ("chat", "is something broken today?? our stuff isnt showing up", "data_missing"),
        (
            "Help",
            "The API says 200 for our server events every time, but nothing shows up in Live view.",
            "data_missing",
        ),
        ("Bezoekers weg?", "Sinds zaterdag zie ik geen enkele bezoeker meer uit België.", "data_missing"),
        ("Campagne", "Il n'y a aucune session attribuée à la campagne depuis samedi.", "data_missing"),
    ],
)
def test_lumen_types_in_any_language(subject: str, body: str, family: str) -> None:
    assert _type(LUMEN, subject, body) == family


@pytest.mark.parametrize(
    ("subject", "body", "family"),
    [
        # a dashboard is where the trouble is seen; what is slow, exported or missing names the type
        (
            "Dashboards painfully slow",
            "Our dashboards take 40+ seconds to load. It's every dashboard, not just the big one.",
            "performance",
        ),
        (
            "PDF export knipt grafieken af",
            "Bij het exporteren naar PDF worden de grafieken afgeknipt.",
            "export",
        ),
        ("Charts", "The charts on our dashboard show no data since the export yesterday.", "data_missing"),
        # ... and a dashboard of its own is still the type
        (
            "Dashboard layout broken",
            "The widgets on our sales dashboard overlap since this morning.",
            "dashboard",
        ),
    ],
)
def test_the_dashboard_a_trouble_is_seen_on_gives_way_to_the_trouble(
    subject: str, body: str, family: str
) -> None:
    assert _type(LUMEN, subject, body) == family


@pytest.mark.parametrize(
    ("subject", "body", "family"),
    [
        (
            "Bounces",
            "Onze berichten naar ontvangers bij KPN komen niet aan, ze belanden in spam.",
            "delivery",
        ),
        (
            "DKIM",
            "Le domaine mail.acme.fr reste non vérifié, l'enregistrement DKIM est introuvable.",
            "domain",
        ),
        ("Chave", "A nossa chave responde api_key_revoked desde as 8h.", "auth"),
        (
            "Membri",
            "Non riesco a invitare un nuovo membro come Admin nella nostra organizzazione.",
            "account",
        ),
        ("Rechnung", "Auf der Rechnung fehlt unsere USt-ID.", "billing"),
        ("Eventos", "Los eventos del webhook wh_ab12cd34ef llegan con retraso.", "webhooks"),
        ("Fehler", "Jeder Versand schlägt fehl: template_render_failed.", "sending"),
        ("Server", "Unser Server kann keine Mails mehr über das SMTP-Relay versenden.", "sending"),
        ("Owner", "Necesitamos transferir la propiedad de la organización a otra persona.", "account"),
        (
            "emails?",
            "Two candidates called saying they're not getting our emails. Is something broken?",
            "delivery",
        ),
        ("Rückläufer", "Unsere Mail an einen Kunden ist heute mit 550 5.7.1 zurückgekommen.", "delivery"),
        ("Close", "Please close our organization and delete all message logs and templates.", "account"),
        # closing or deleting the organisation, said in each language, is the account's
        (
            "Encerrar a conta",
            "Vamos fechar a loja e queremos encerrar a conta. Não queremos ser cobrados.",
            "account",
        ),
        (
            "Compte",
            "Nous voulons fermer notre compte à la fin du mois, sans être facturés en janvier.",
            "account",
        ),
        # a message held back by the receiving server, however the product shows it, is delivery
        (
            "WG: Kunde",
            "Die Mail wurde verschickt und steht seitdem auf „Zurückgestellt“ (451 4.7.1).",
            "delivery",
        ),
        # a receiving server's SMTP reply, whatever sending domain is named beside it
        (
            "Rejets Orange",
            "Depuis hier nos e-mails vers @orange.fr reviennent avec 554 5.7.1. Domaine d'envoi : notif.exemple.fr",
            "delivery",
        ),
        # mail said to be slow is late delivery
        ("chat", "hey r u guys having issues today? mails to our users seem slow", "delivery"),
        # the events posted, the endpoint receiving them and their signature are the webhooks'
        (
            "Status updates",
            "We no longer get the bounced events on our endpoint; our signature check fails.",
            "webhooks",
        ),
        # a member's login address is the member's, though a login is named ("login" is auth's)
        (
            "Login email",
            "Our domain lapsed, so I can't get mail at my login email any more. Can you change it?",
            "account",
        ),
        (
            "Login-Adresse",
            "Bitte ändern Sie meine Login-E-Mail, das alte Postfach wird geschlossen.",
            "account",
        ),
        (
            "Changement d'adresse de connexion",
            "Pouvez-vous changer mon adresse de connexion ? L'ancienne boîte est fermée.",
            "account",
        ),
        # but the email sent to sign in is one more delivered message
        ("Console", "The sign-in email for the console never arrives, so I can't log in.", "delivery"),
        # a phrase cue with a star takes any ending ("api call*": "api calls")
        ("Question", "Our API calls fail since this morning.", "sending"),
        ("Événements", "Nous ne recevons plus les événements bounced sur notre endpoint.", "webhooks"),
    ],
)
def test_kestrel_types_in_any_language(subject: str, body: str, family: str) -> None:
    assert _type(KESTREL, subject, body) == family


@pytest.mark.parametrize("body", ["Het werkt weer niet.", "Salve, non funziona niente.", "It's broken!!"])
def test_a_ticket_naming_nothing_gets_the_fallback(body: str) -> None:
    assert _type(LUMEN, "help", body) == "general"
    assert _type(KESTREL, "help", body) == "general"


def test_an_error_code_outweighs_a_word_of_another_type() -> None:
    # "key" is an auth word; the code says the send failed on a template
    body = "Since our key rotation every send fails with template_render_failed."
    assert _type(KESTREL, "Problem", body) == "sending"


@pytest.mark.parametrize(
    ("vocabulary", "body", "expected"),
    [
        # an embedded dashboard refused on the new site is the dashboard's, though it "disappeared"
        (
            LUMEN,
            'Desde ontem o dashboard incorporado desapareceu do site; aparece "EMBED_DOMAIN_NOT_ALLOWED".',
            "dashboard",
        ),
        # a retired endpoint is the API's, whatever the manager thinks of the user's permissions
        (LUMEN, "El proceso falla: ENDPOINT_RETIRED. ¿El usuario perdió permisos?", "api"),
        # a locked account is the sign-in's, whoever the admin is who should unlock it
        (
            LUMEN,
            "Können Sie Frau Vogts Zugang entsperren? Ich bin Admin. Sie sieht: ACCOUNT_LOCKED.",
            "login",
        ),
        # the relay's authentication reply, and a key refused for the addresses it is restricted to
        (
            KESTREL,
            "Sinds de update krijgen we bij elke mail: 530 5.7.0 Must issue a STARTTLS command first",
            "auth",
        ),
        (
            KESTREL,
            'Todas as chamadas de envio voltam com {"error":{"code":"ip_not_allowed"}} desde ontem.',
            "auth",
        ),
        # the volume bought and what pays for it, though the sends are what stops
        (KESTREL, "Sinds 11:00 weigert de API elke verzending met 'spend_cap_reached'.", "billing"),
        # what the API refuses in the message itself, whoever the customer suspects
        (
            KESTREL,
            "Seit heute Mittag kommt bei jeder Rundmail an 120 Empfänger: too_many_recipients",
            "sending",
        ),
        (
            KESTREL,
            "Haben Sie an der Zustellung was geändert? attachment_type_not_allowed: application/pdf",
            "sending",
        ),
        (
            KESTREL,
            "depuis ce matin toutes nos requêtes d'envoi renvoient 429 monthly_quota_exceeded",
            "billing",
        ),
    ],
)
def test_a_code_family_names_its_type(vocabulary: IntakeVocabulary, body: str, expected: str) -> None:
    assert _type(vocabulary, "Problem", body) == expected


def test_without_a_fallback_nothing_named_is_no_type() -> None:
    vocabulary = Vocabulary(problem_types={"export": ProblemType(cues={"en": ["export"]})})
    assert vocabulary.problem_type_fallback is None
    with pytest.raises(ValueError, match="problem_type_fallback"):
        Vocabulary(problem_types={"export": ProblemType()}, problem_type_fallback="general")


@pytest.mark.parametrize(
    "body",
    [
        "Does Lumen support SCIM provisioning with Azure AD? Which plan is required?",
        "Est-il possible d'exporter les tableaux de bord en XML ?",
    ],
)
def test_a_question_of_what_the_product_can_do_is_general(body: str) -> None:
    assert _type(LUMEN, "Question", body) == "general"


def test_a_capability_question_with_trouble_keeps_its_type() -> None:
    body = "Is it possible that the CSV export fails since Monday? It says EXPORT_TIMEOUT."
    assert _type(LUMEN, "Question", body) == "export"


@pytest.mark.parametrize(
    ("vocabulary", "subject", "body", "family"),
    [
        # the code of the trouble outweighs the thing it happened to, named however often
        (
            LUMEN,
            "Export broken",
            "Exporting the sales export to CSV: PERMISSION_DENIED on every export.",
            "permissions",
        ),
        (KESTREL, "Sends", "Our sends all stopped, every send now gets sending_paused.", "account"),
        # a send refused because the domain is unverified: the domain is the cause
        (
            KESTREL,
            "Sends fail",
            "Since an hour every send from our app fails with domain_not_verified.",
            "domain",
        ),
        # a symptom type counts its words more than the thing the symptom is on
        (LUMEN, "Help", "Our dashboards are very slow since Monday.", "performance"),
        (LUMEN, "Aiuto", "La dashboard delle vendite non mostra nessun dato da stamattina.", "data_missing"),
        # asking for someone's access or ownership is about access, whatever it is to
        (LUMEN, "Request", "Could you make me owner of the dashboards workspace?", "permissions"),
        (KESTREL, "Org", "Podríais darme acceso de administrador para las plantillas de envío?", "account"),
    ],
)
def test_the_cause_outweighs_the_thing_it_happened_to(
    vocabulary: IntakeVocabulary, subject: str, body: str, family: str
) -> None:
    assert _type(vocabulary, subject, body) == family


def test_a_refusal_beside_a_named_integration_is_the_integrations() -> None:
    body = (
        "Der BigQuery-Sync schlägt seit heute fehl. In den Integrationseinstellungen steht:\n\n"
        "  BigQuery: Access Denied: Table acme:raw.events: Permission bigquery.tables.updateData denied\n\n"
        "Wir haben gestern die IAM-Rollen aufgeräumt."
    )
    assert _type(LUMEN, "Sync kaputt", body) == "integration"
    # ... but the product's own code for a refusal is a role in the product
    body = (
        "Trying to connect Salesforce keeps failing. This is what we get: \"You don't have permission to "
        'perform this action (PERMISSION_DENIED)". My colleague can do it.'
    )
    assert _type(LUMEN, "Salesforce connection", body) == "permissions"
    with pytest.raises(ValueError, match="beside_an_integration"):
        Vocabulary(problem_types={"permissions": ProblemType(beside_an_integration="integration")})


def test_the_title_under_the_signers_name_is_no_cue() -> None:
    body = "We are having problems with Lumen again. Can someone call me tomorrow?\n\nAna\n\nAna Ruiz\nOwner, Ruiz Hardware\n"
    assert read(LUMEN, body, subject="Urgent").problem_type == "general"
    # the same words above the signature still count
    body = "I am locked out: the owner role was taken from me.\n\nAna Ruiz\nRuiz Hardware\n"
    assert read(LUMEN, body, subject="Urgent").problem_type == "permissions"


def test_a_code_in_a_pasted_error_body_names_the_type() -> None:
    body = 'Our upload script stopped working.\n\n{"error": "PLAN_LIMIT_REACHED", "status": 402}'
    assert _type(LUMEN, "Upload", body) == "billing"


def test_the_longest_spelled_code_wins() -> None:
    ingest, billing = LUMEN.cue_of("event_batch_rejected"), LUMEN.cue_of("event_quota_exceeded")
    assert ingest is not None and ingest[0] == "ingest"  # EVENT_*
    assert billing is not None and billing[0] == "billing"  # EVENT_QUOTA_*


def test_a_word_after_an_elided_article_is_a_cue() -> None:
    assert _type(LUMEN, "Domanda", "Non troviamo l'esportazione di ieri.") == "export"


def test_a_word_repeated_in_a_pasted_log_counts_at_most_twice() -> None:
    log = "2026-11-24 export worker ok\n" * 5
    body = f"Since this morning I cannot log in, the login page just reloads.\n{log}"
    assert _type(LUMEN, "Help", body) == "login"


def test_the_requesters_own_role_is_no_cue() -> None:
    """'I'm an admin', 'I'm the owner of …' shows the requester's standing, not the trouble."""
    body = "The Export button on every chart is greyed out since this morning. I'm an admin. Need it by 2."
    assert _type(LUMEN, "chat", body) == "export"
    body = (
        "I lost my phone on the weekend and with it my authenticator app, so I can't log in to the "
        "console anymore. I'm the owner of our organization. How do I recover access? Another admin "
        "can confirm my identity."
    )
    assert _type(KESTREL, "Lost my phone - can't get into console", body) == "auth"


@pytest.mark.parametrize(
    ("subject", "body"),
    [
        ("Scheduled export came through empty", "The weekly CSV arrived with only the header row."),
        ("PDF-export is leeg", "De PDF-export van ons dashboard bevat alleen de titel en lege pagina's."),
    ],
)
def test_an_empty_thing_is_the_things_own_trouble(subject: str, body: str) -> None:
    """ "Empty" says what the export came out as; data said to be missing is missing data."""
    assert _type(LUMEN, subject, body) == "export"


def test_events_that_have_not_shown_up_are_missing_data() -> None:
    body = "Signup events from our web app haven't shown up in the dashboard since 9pm."
    assert _type(LUMEN, "Revenue numbers", body) == "data_missing"


def test_someone_elses_guess_at_the_cause_names_no_type() -> None:
    body = (
        "Since Thursday no events from our iOS app arrive; the SDK logs a 400 on every batch. "
        "Our developer thinks it is a permissions problem because he only has the Viewer role."
    )
    assert _type(LUMEN, "iPhone app", body) == "ingest"
    body = "Desde ayer falla la descarga por la API. Nuestro gerente piensa que es porque el usuario perdió el rol de admin."
    assert _type(LUMEN, "Fallo", body) == "api"


def test_what_someone_else_reports_keeps_its_words() -> None:
    body = "The numbers don't feel right. My co-founder thinks Lumen is undercounting compared to Shopify."
    assert _type(LUMEN, "numbers", body) == "data_missing"


def test_a_cause_the_requester_rules_out_names_no_type() -> None:
    body = (
        "Since 1pm the embedded dashboard in our portal shows a grey box. Users can log in to the portal "
        "and the login works, so I don't think it's a login thing."
    )
    assert _type(LUMEN, "Embedded dashboard blank", body) == "dashboard"


def test_the_code_of_the_cause_outweighs_how_much_is_said_of_the_symptom() -> None:
    body = (
        "Our Weekly Growth dashboard has gone completely flat since 3am, orders and revenue all at zero. "
        "Our dev found this in the collector's log: flush failed status=400 code=SCHEMA_VALIDATION_FAILED"
    )
    assert _type(LUMEN, "Growth dashboard has gone flat - data gone?", body) == "ingest"


def test_a_role_said_without_its_article_is_no_cue_but_a_state_is() -> None:
    body = "preciso entrar urgente, um colega precisa de uma chave de API nova e só eu sou admin."
    assert _type(KESTREL, "Não consigo entrar", body) == "auth"
    # "ich bin ausgesperrt" tells the trouble: its word still counts
    assert _type(LUMEN, "Hilfe", "Seit heute früh bin ich ausgesperrt.") == "login"


@pytest.mark.parametrize(
    "body",
    [
        "Die Konsole nimmt meinen Bestätigungscode nicht mehr an, seit ich das Handy gewechselt habe.",
        "Les codes de récupération ne marchent pas non plus, la console refuse le code de vérification.",
        'The API answers {"type": "key_revoked"} since last night.',
    ],
)
def test_kestrel_sign_in_codes_and_key_codes_are_auth(body: str) -> None:
    assert _type(KESTREL, "Console", body) == "auth"
