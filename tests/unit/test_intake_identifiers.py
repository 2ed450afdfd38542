"""Whose an identifier is: the requester's own, another organisation's (foreign), a recipient
only where delivery is the topic; every address mentioned; the cross-tenant flag."""

from __future__ import annotations

import dataclasses

import pytest
from intake_reading import KESTREL, LUMEN, read

from services.intake.extract import about_another_party, injection_spans
from services.intake.vocabulary import IntakeVocabulary


@pytest.mark.parametrize(
    "body",
    [
        "Brightwell has its own Lumen account (acc_other1), separate from ours (acc_mine01). "
        "Please send me their invoices.",
        "I consult for Halvard. They're on account acc_other1. My own account with you is acc_mine01.",
        "Trabajamos para Grupo Sur, que tiene su propia cuenta en Lumen (acc_other1). "
        "¿Nos pueden enviar sus claves? Nuestra cuenta es acc_mine01.",
        "Wir betreuen die Firma Nord; deren Konto ist acc_other1. Unser Konto: acc_mine01.",
        # a sister company in its own words, "they have / are on" the other tenant, "we" own ours
        "Wij (Holland Groen, account acc_mine01) en ons zusterbedrijf Groen Logistiek hebben elk een eigen "
        "account. Zij zitten op acc_other1. Kunnen jullie hun data kopiëren?",
        "La nostra consociata ha un account separato (acc_other1). Il nostro account è acc_mine01.",
        "Somos a agência da Loja Sol. Eles têm a conta acc_other1 com vocês; a nossa é acc_mine01.",
        # a former employer's account
        "Ya no trabajo en Sierra, que usa la cuenta acc_other1. Mi cuenta nueva es acc_mine01.",
        # "their" a few words before the tenant's noun, a named organisation's possessive,
        # "they already have"
        "I built all of their reports in Lumen (account acc_other1) before I left. Mine is acc_mine01.",
        "Il fornitore manda le mail dalla loro organizzazione acc_other1. Il nostro account è acc_mine01.",
        "Please add me as an admin on Northwind's account acc_other1. Our account is acc_mine01.",
        "Halvard are our client. They already have an account, acc_other1. Ours is acc_mine01.",
        # a stressed "their", "it is them who have"
        "Ons bureau verstuurde onze mails vanuit hún account (acc_other1). Wij hebben nu acc_mine01.",
        "Leur comptable veut les factures, mais c'est eux qui ont le contrat (compte acc_other1). Le nôtre "
        "est acc_mine01.",
    ],
)
def test_the_requesters_own_id_wins_and_the_other_is_foreign(body: str) -> None:
    section = read(LUMEN, body)
    assert section.identifiers.get("account_id") == "acc_mine01"
    assert section.foreign_identifiers == ["acc_other1"]
    assert section.cross_tenant


def test_of_two_ids_the_one_said_to_work_fine_is_not_the_one_in_trouble() -> None:
    body = (
        "Since Monday every flush fails with 413 PAYLOAD_TOO_LARGE. Workspace is ws_prod01 (prod). "
        "Our staging workspace ws_stag01 is still on the old SDK and totally fine, for comparison."
    )
    assert read(LUMEN, body).identifiers.get("workspace_id") == "ws_prod01"


@pytest.mark.parametrize(
    ("body", "integration"),
    [
        # said to work, ruled out or only guessed at: beside the trouble
        (
            "The Snowflake sync runs fine, but since Monday the Salesforce sync fails with SYNC_FAILED.",
            "salesforce",
        ),
        ("Unsere Slack-Anbindung läuft normal, nur die HubSpot-Synchronisation bricht ab.", "hubspot"),
        ("Our own bot (not your Slack integration) stopped getting numbers from the API.", None),
        ("Mi jefe piensa que es por culpa de la integración con HubSpot. Faltan datos desde el lunes.", None),
        # a change to it asked about as the cause, or one of the things nobody knows is the cause
        (
            "Der Export schlägt fehl. An der Snowflake-Anbindung wurde was umgestellt. Hängt das zusammen?",
            None,
        ),
        ("something's off since friday, no idea if it's the charts, the slack thing or the billing", None),
        # the one in trouble is kept
        ("The BigQuery export has failed every night since Friday.", "bigquery"),
    ],
)
def test_an_integration_said_to_work_ruled_out_or_guessed_at_is_not_the_one_in_trouble(
    body: str, integration: str | None
) -> None:
    assert read(LUMEN, body).identifiers.get("integration") == integration


def test_an_abbreviation_does_not_end_the_clause_that_says_whose_an_id_is() -> None:
    body = (
        "Tot oktober werkte ik bij Kroonvis; daar had ik in hun workspace ws_other1 dashboards gebouwd "
        "(o.a. dsh_other1 'Campagne-ROI'). Kunnen jullie die kopiëren?"
    )
    section = read(LUMEN, body)
    assert "dashboard_id" not in section.identifiers
    assert {"ws_other1", "dsh_other1"} <= set(section.foreign_identifiers)


@pytest.mark.parametrize(
    ("body", "ours", "theirs"),
    [
        # an id stated as our organisation's outweighs an earlier one near a "we" ("nossa marca")
        (
            "Estamos recebendo e-mails em nome da nossa marca que passam pela Kestrel (org_11111111 aparece "
            "no header). Precisamos do nome do responsável. Nossa organização é org_22222222.",
            "org_22222222",
            "org_11111111",
        ),
        (
            "wir sind externer IT-Dienstleister der Praxis Dr. Roth. Die Praxis hat bei Ihnen ein eigenes Konto "
            "(org_61040001). Bitte senden Sie uns die Versandprotokolle. Unser eigenes Konto bei Ihnen ist "
            "org_18830002.",
            "org_18830002",
            "org_61040001",
        ),
        # "our own organisation (<id>": the word for own, and a bracket before the id
        (
            "Jusqu'ici nos e-mails partaient depuis l'organisation Kestrel du groupe (org_33091846). Nous avons "
            "créé notre propre organisation (org_58720194) et voudrions y faire transférer nos modèles.",
            "org_58720194",
            "org_33091846",
        ),
    ],
)
def test_another_tenant_named_beside_the_requesters_own_is_foreign(body: str, ours: str, theirs: str) -> None:
    """The ticket asks about another customer: their tenant is foreign, the requester's is theirs."""
    section = read(KESTREL, body)
    assert section.identifiers.get("organization_id") == ours
    assert section.foreign_identifiers == [theirs] and section.cross_tenant


def test_an_id_of_the_requesters_own_is_not_foreign() -> None:
    section = read(LUMEN, "Exports fail in our workspace ws_mine01 since 9:00 with EXPORT_TIMEOUT.")
    assert section.identifiers.get("workspace_id") == "ws_mine01"
    assert section.foreign_identifiers == [] and not section.cross_tenant


def test_someone_posing_as_the_requester_is_another_tenant() -> None:
    body = (
        "Someone is sending phishing impersonating us from news.lookalike-shop.com through Kestrel. "
        "We are org_40418822. Which of your customers owns that domain?"
    )
    section = read(KESTREL, body)
    assert "sending_domain" not in section.identifiers
    assert section.foreign_identifiers == ["news.lookalike-shop.com"]
    assert section.cross_tenant
    assert section.identifiers.get("organization_id") == "org_40418822"


@pytest.mark.parametrize(
    ("vocabulary", "body", "theirs"),
    [
        (
            LUMEN,
            "I'm the new IT admin. Please change the owner email on ws_hq5n2r to this address.",
            ["ws_hq5n2r"],
        ),
        (
            KESTREL,
            "Trabajé en Sierra hasta octubre. ¿Me pueden exportar las plantillas tmpl_bienvenida de la "
            "organización org_12345678? La entrega a cliente@sierra.example funcionaba.",
            ["org_12345678", "tmpl_bienvenida"],
        ),
    ],
)
def test_ids_named_from_a_free_mail_address_are_unverified_and_so_another_tenants(
    vocabulary: IntakeVocabulary, body: str, theirs: list[str]
) -> None:
    section = read(vocabulary, body, requester="new.admin.1984@gmail.com")
    assert sorted(section.foreign_identifiers) == theirs and section.cross_tenant
    assert not set(theirs) & set(section.identifiers.values())
    # the same words from the organisation's own domain claim its ids
    own = read(vocabulary, body, requester="ana@acme.example")
    assert not own.foreign_identifiers and not own.cross_tenant


def test_a_forwarded_reports_author_is_a_recipient_only_when_their_report_tells_the_delivery() -> None:
    def body(report: str) -> str:
        return (
            "See below, our patients' reminders are not delivered. Our org is org_12345678.\n\n"
            "---------- Forwarded message ---------\n"
            "From: Bo Berg <bo@agency.example>\nDate: Mon, Nov 23, 2026 at 9:14 AM\nSubject: errors\n"
            f"To: Ana Ruiz <ana@acme.example>\n\n{report}\n\nBo"
        )

    developer = "Since last night the API answers 500 internal_error for every call from the shop."
    customer = "Since Thursday I no longer receive my invoices by email."
    # a developer telling of the organisation's mail that others miss, in delivery's own words
    relaying = "Since Tuesday our reminder emails to patients are no longer delivered; we changed nothing."
    assert "recipient_email" not in read(KESTREL, body(developer)).identifiers
    assert "recipient_email" not in read(KESTREL, body(relaying)).identifiers
    assert read(KESTREL, body(customer)).identifiers.get("recipient_email") == "bo@agency.example"


def test_an_example_address_in_a_forwarded_report_is_read_in_the_reports_words() -> None:
    """An address the forwarded report gives as an example is a recipient when the report told the
    delivery before it (its first paragraph), not only after it; in the requester's own words, the
    paragraph must still tell it."""
    body = (
        "Forwarding from reception. Org: org_12345678.\n\nTim\n\n"
        "---------- Forwarded message ---------\n"
        "From: Ines Lund <ines@acme.example>\nDate: Mon, Nov 23, 2026 at 9:14 AM\nSubject: guests\n"
        "To: Tim Berg <tim@acme.example>\n\n"
        "Tim, the booking confirmations bounce for every guest on one provider since this morning. "
        "Three guests called already.\n\n"
        "The last one was for guest.one@mailbox.example, room 12.\n\nInes"
    )
    assert read(KESTREL, body).identifiers.get("recipient_email") == "guest.one@mailbox.example"
    told_after = (
        "Forwarding from reception. Org: org_12345678.\n\nTim\n\n"
        "---------- Forwarded message ---------\n"
        "From: Ines Lund <ines@acme.example>\nDate: Mon, Nov 23, 2026 at 9:14 AM\nSubject: guests\n"
        "To: Tim Berg <tim@acme.example>\n\n"
        "Tim, please call our web agency at help@webagency.example tomorrow. Three guests called.\n\n"
        "Unrelated: the booking confirmations bounce for every guest on one provider since this morning."
    )
    assert "recipient_email" not in read(KESTREL, told_after).identifiers
    own = (
        "The booking confirmations bounce for every guest on one provider. "
        "We checked our settings twice.\n\n"
        "Please call our contact guest.two@mailbox.example about the invoice."
    )
    assert "recipient_email" not in read(KESTREL, own).identifiers


def test_an_address_beside_a_message_of_its_own_component_is_a_recipient() -> None:
    """A sentence such as "message <id> to <address>" is about delivery whatever its words: the id
    is a resource of the recipient kind's own component."""
    body = (
        "Org: org_12345678. E.g. message 01M89F0B2C4D6E8G0H2J4K6M8N to a.bakker@school.example, an hour late."
    )
    assert read(KESTREL, body).identifiers.get("recipient_email") == "a.bakker@school.example"
    assert (
        "recipient_email"
        not in read(KESTREL, "Org: org_12345678. Graag contact via a.bakker@school.example.").identifiers
    )


def test_a_dns_records_name_is_not_the_sending_domain_the_record_names_it() -> None:
    """A host a DNS record line starts with is the record's name ("bounce.shop.example.  CNAME …"),
    not the sending domain; the domain a record is for is ("the Return-Path CNAME for …")."""
    body = (
        "Org: org_12345678. We added the Return-Path CNAME for harbourtea.example yesterday:\n\n"
        "    rp.harbourtea.example.  CNAME  rp.kestrelmail.example.\n\n"
        "and the console still says the record is missing."
    )
    assert read(KESTREL, body).identifiers.get("sending_domain") == "harbourtea.example"
    dkim = "Org: org_12345678. El DKIM de harbourtea.example falla desde ayer."
    assert read(KESTREL, dkim).identifiers.get("sending_domain") == "harbourtea.example"
    spf = "Org: org_12345678. The SPF records for harbourtea.example are set."
    assert read(KESTREL, spf).identifiers.get("sending_domain") == "harbourtea.example"
    zone = "Org: org_12345678. Added:\n    rp.harbourtea.example. 3600 IN CNAME rp.kestrelmail.example.\n"
    assert "sending_domain" not in read(KESTREL, zone).identifiers
    # a record type opening the next sentence names no record; a mailbox provider's own record
    # is not the customer's domain
    for body in (
        "We send from news.harbourtea.example. TXT records were added yesterday.",
        "We send from news.harbourtea.example.\nMX records point to Google, is that a problem?",
    ):
        assert read(KESTREL, "Org: org_12345678. " + body).identifiers.get("sending_domain") == (
            "news.harbourtea.example"
        )
    gmail = "Org: org_12345678. Google says the DMARC for gmail.com requires alignment."
    assert "sending_domain" not in read(KESTREL, gmail).identifiers


@pytest.mark.parametrize(
    ("body", "domain"),
    [
        (
            "Our customers get mail from the domain offers-harbourtea.example, which is not ours.",
            "offers-harbourtea.example",
        ),
        (
            "Wir bekommen Mails von der Domain angebote-teehaus.example, die nicht uns gehört.",
            "angebote-teehaus.example",
        ),
        ("Recebemos e-mails do domínio ofertas-casa.example, que não é nosso.", "ofertas-casa.example"),
        ("Mails von der Domain angebote-haus.example, die uns nicht gehört.", "angebote-haus.example"),
        (
            "Mail from the domain offers-teahouse.example, which is not ours but a spammer's.",
            "offers-teahouse.example",
        ),
        (
            "On reçoit des mails du domaine offres-maison.example, qui n'est pas à nous.",
            "offres-maison.example",
        ),
    ],
)
def test_an_id_the_next_clause_disowns_is_anothers(body: str, domain: str) -> None:
    section = read(KESTREL, body + " Org: org_12345678.")
    assert "sending_domain" not in section.identifiers
    assert domain in section.foreign_identifiers


@pytest.mark.parametrize(
    "body",
    [
        "We send from the domain mail.harbourtea.example, which is ours.",
        "We send from the domain mail.harbourtea.example, which is not our own doing.",
        "Enviamos desde el dominio mail.harbourtea.example, que no es nuestro problema sino vuestro.",
        "Enviamos desde o domínio mail.harbourtea.example, que não é nossa culpa.",
        "Inviamo dal dominio mail.harbourtea.example, che non è nostra responsabilità.",
    ],
)
def test_a_clause_after_an_id_that_only_sounds_like_disowning_it_leaves_it_the_requesters(body: str) -> None:
    section = read(KESTREL, body + " Org: org_12345678.")
    assert section.identifiers.get("sending_domain") == "mail.harbourtea.example"


def test_someone_who_is_no_customer_names_no_id_of_their_own() -> None:
    body = (
        "Je ne suis pas cliente chez vous. Depuis le 18 je reçois des mails publicitaires envoyés "
        "depuis promo.offres-minceur.example. Les en-têtes disent X-Kestrel-Org: org_77340152. "
        "Je veux connaître le nom de la société. Mon adresse : martine@isp.example"
    )
    section = read(KESTREL, body, requester="martine@isp.example")
    assert "organization_id" not in section.identifiers and "user_email" not in section.identifiers
    assert "org_77340152" in section.foreign_identifiers and section.cross_tenant


def test_a_recipient_only_where_delivery_is_the_topic() -> None:
    bounced = read(KESTREL, "Our notices to r.patel@harbour.example bounce with 550 5.1.1 since Monday.")
    assert bounced.identifiers.get("recipient_email") == "r.patel@harbour.example"
    assert bounced.identifiers.get("error_code") == "550 5.1.1"
    invited = read(KESTREL, "Please change the billing contact to j.doe@harbour.example, thanks.")
    assert "recipient_email" not in invited.identifiers
    assert invited.emails == ["j.doe@harbour.example"]


def test_an_address_in_a_mail_servers_log_line_is_a_sample_not_the_recipient() -> None:
    body = (
        "Since 18:30 UTC about a third of our mail is deferred by your relay:\n\n"
        "Nov 24 19:58:41 mx2 postfix/smtp[22871]: 4F1A22C0D3: to=<kund@telia.example>, "
        "relay=smtp.relay.example[203.0.113.25]:587, status=deferred (421 4.7.0 try again later)"
    )
    section = read(KESTREL, body)
    assert "recipient_email" not in section.identifiers
    assert "kund@telia.example" in section.emails


def test_a_colleague_at_the_requesters_organisation_is_not_a_recipient() -> None:
    section = read(KESTREL, "My teammate marcus@acme.example never receives the invite email.")
    assert "recipient_email" not in section.identifiers
    assert section.emails == ["marcus@acme.example"]
    sender = read(KESTREL, 'Batch sends from {"from":"news@notify.acme.example"} are delivered late.')
    assert "recipient_email" not in sender.identifiers


def test_delivery_told_in_the_paragraph_makes_the_address_a_recipient() -> None:
    body = (
        "Our newsletter arrived two hours late at our subscribers. One of them, M. Perrin "
        "(claude.perrin@orange.example), even wrote to us about it."
    )
    assert read(KESTREL, body).identifiers.get("recipient_email") == "claude.perrin@orange.example"


@pytest.mark.parametrize(
    ("body", "address"),
    [
        (
            "Our welcome email to new customer m.okafor@lagos.example failed this morning.",
            "m.okafor@lagos.example",
        ),
        (
            "L'API risponde 422 a tutti gli invii verso indirizzi come mario+gym@mail.example.",
            "mario+gym@mail.example",
        ),
        ("Los correos a m.ruiz@correo.example fueron rechazados por su servidor.", "m.ruiz@correo.example"),
        ("Het bericht aan p.kramer@school.example is mislukt, de rest gaat goed.", "p.kramer@school.example"),
    ],
)
def test_a_send_to_someone_that_failed_makes_the_address_a_recipient(body: str, address: str) -> None:
    assert read(KESTREL, body).identifiers.get("recipient_email") == address


def test_the_vendors_own_hosts_and_addresses_are_no_customer_facts() -> None:
    body = (
        "Our shop sends through smtp.kestrelmail.example and notifications@kestrelmail.example wrote to us."
    )
    section = read(KESTREL, body)
    assert "sending_domain" not in section.identifiers
    assert section.emails == []


def test_every_address_mentioned_is_kept_in_order() -> None:
    body = "Forwarding from bob@acme.example; the customer is carla@shop.example. Cc sam@acme.example."
    assert read(LUMEN, body).emails == ["bob@acme.example", "carla@shop.example", "sam@acme.example"]


@pytest.mark.parametrize(
    ("body", "affected"),
    [
        (
            "This is for my colleague Bo (bo@acme.example), who is the one affected. SSO fails.",
            "bo@acme.example",
        ),
        ("Je vous écris pour mon collègue Bo (bo@acme.example). La connexion échoue.", "bo@acme.example"),
        ("Ma collègue Isabelle (bo@acme.example) reçoit les siens sans problème.", None),
        # the member a ticket does something to (invites, removes, gives a role) is the one it
        # is about, and so is a member whose id stands next to the address
        ("Please invite bo@acme.example to our workspace ws_mine01.", "bo@acme.example"),
        ("Bitte entfernen Sie das Mitglied bo@acme.example aus unserem Workspace.", "bo@acme.example"),
        (
            "When I change the role of usr_k8d2m1 (bo@acme.example) I get PERMISSION_DENIED.",
            "bo@acme.example",
        ),
        # the writer's own login written out is the member in question, even the requester's own
        ("Je n'arrive plus à me connecter. Mon identifiant est ana@acme.example.", "ana@acme.example"),
        (
            "pedí restablecer la contraseña para ana.q@estudio.example y no me llega nada. ese es mi usuario",
            "ana.q@estudio.example",
        ),
        ("The weekly report from bo@acme.example arrived empty.", None),
        (
            "nieuwe collega Sem (bo@acme.example) heeft de uitnodiging geaccepteerd maar ziet niets",
            "bo@acme.example",
        ),
        # a login labelled as such, and the writer named in brackets as the one to act on
        ("Every login says ACCOUNT_LOCKED.\n\nlogin: ana@acme.example", "ana@acme.example"),
        (
            "Only the owner can transfer ownership. Please make me (ana@acme.example) the owner.",
            "ana@acme.example",
        ),
        (
            "I need to change the login email for all six members, starting with my own (ana@acme.example).",
            "ana@acme.example",
        ),
        # the product's message quoted in the sentence speaks of another organisation, not the writer
        (
            'Cuando invito a Bo (bo@acme.example), el panel dice "This email is already a member of '
            'another organization".',
            "bo@acme.example",
        ),
        # a colleague who no longer gets in, however far the verb is from its negation
        (
            "Seit gestern kann sich unsere Kollegin Bo (bo@acme.example) nicht mehr anmelden.",
            "bo@acme.example",
        ),
        # changing a member's role is done to that member
        (
            "Non riesco a cambiare il ruolo del collega Bo (bo@acme.example) da Viewer ad Admin.",
            "bo@acme.example",
        ),
        # the login named as such, or what the writer signs in with
        ("I can't get in. Login is ana@acme.example.", "ana@acme.example"),
        ("Não consigo entrar. O utilizador é ana@acme.example.", "ana@acme.example"),
        ("Depuis hier, quand je me connecte avec ana@acme.example, j'ai une erreur.", "ana@acme.example"),
        # the writer in brackets with the verb between ("naar mij overzetten (x@…)")
        (
            "Onze vorige IT-manager (kai@acme.example) is uit dienst. Kunnen jullie het eigenaarschap naar mij "
            "overzetten (bo@acme.example) en daarna zijn account verwijderen?",
            "bo@acme.example",
        ),
        # a colleague who can no longer do something, however the negation is said
        ("mijn collega bo@acme.example kan sinds vanmiddag geen dashboards meer delen", "bo@acme.example"),
        ("Notre collègue (bo@acme.example) ne voit plus aucun tableau de bord.", "bo@acme.example"),
        # ... named with a compound ("marketingcollega", "Vertriebskollegin")
        (
            "Onze nieuwe supportcollega Bo (bo@acme.example) kan sinds maandag inloggen in de console, "
            "maar kan geen templates aanpassen.",
            "bo@acme.example",
        ),
        (
            "Unsere Vertriebskollegin Bo (bo@acme.example) hat seit Montag wieder Zugang zur neuen Konsole, "
            "kann aber keine Berichte öffnen.",
            "bo@acme.example",
        ),
        # a newcomer invited, named by their job
        (
            "Convidei ontem o nosso novo programador, o Bo (bo@acme.example), para a organização.",
            "bo@acme.example",
        ),
        # what is done to a member told after them, their leaving, their trouble
        ("Ich möchte unserer Kollegin Bo (bo@acme.example) die Rolle „Admin“ geben.", "bo@acme.example"),
        ("Bo (bo@acme.example) ha lasciato l'azienda il 31 ottobre. Vorrei rimuoverlo.", "bo@acme.example"),
        (
            "Notre responsable marketing (bo@acme.example) ne voit plus aucun tableau de bord.",
            "bo@acme.example",
        ),
        # named with their address, then spoken of as she or he, their access in trouble
        (
            "A Juliana (bo@acme.example) entrou no time e eu dei a ela o papel de Editor. Mas quando ela abre "
            'qualquer painel aparece "Somente leitura".',
            "bo@acme.example",
        ),
        # ... not one who did something for the writer
        (
            "I can't open the Finance workspace. My colleague Rosa (bo@acme.example) says she moved me onto the "
            "finance team yesterday.",
            None,
        ),
    ],
)
def test_an_affected_colleague_is_the_user_only_when_the_ticket_says_so(
    body: str, affected: str | None
) -> None:
    assert read(LUMEN, body).identifiers.get("user_email") == affected


@pytest.mark.parametrize(
    ("report", "affected"),
    [
        # a relayed report of the organisation's trouble: its author's account is not in question
        ("Since yesterday the PDF export of the sales dashboard comes out blank.", None),
        # a report about its author's own access is about their account
        (
            "Since yesterday I get 'You don't have permission' when I open the sales dashboard.",
            "bo@acme.example",
        ),
        # ... or in what it quotes the product telling its author
        (
            "Hi all,\nI work on the data team. Dashboard editing is broken since this morning. "
            'The error: "You don\'t have permission to perform this action".',
            "bo@acme.example",
        ),
        # what a report is about is in its opening: an aside that its author lacks the rights to
        # fix the integration themself does not make it about their access
        (
            "Hi Ana,\nThe Salesforce sync has stopped since Friday. The pipeline figures are off by a lot. "
            "I reset the integration user's password on Friday and I don't have admin rights in Lumen "
            "to reconnect it myself.",
            None,
        ),
        # seeing none of something is data missing, told by whoever looked, not its author's trouble
        ("Sinds zaterdag zie ik in Lumen geen enkele bezoeker meer uit België.", None),
        # ... an invitation that no longer works, or a refusal for their role, in any language
        (
            'Ana, ho cliccato sull\'invito che mi hai mandato ma mi dice "Questo invito non è più valido".',
            "bo@acme.example",
        ),
        (
            "Ana, hoje fui criar um painel e aparece «Ação não permitida para o seu papel (Leitor)».",
            "bo@acme.example",
        ),
    ],
)
def test_a_forwarded_reports_author_is_the_user_when_the_report_is_about_their_access(
    report: str, affected: str | None
) -> None:
    body = (
        "Can you look at this?\n\n---------- Forwarded message ---------\n"
        "From: Bo Berg <bo@acme.example>\nDate: Mon, Nov 23, 2026 at 9:14 AM\nSubject: help\n"
        f"To: Ana Ruiz <ana@acme.example>\n\n{report}\n\nBo"
    )
    assert read(LUMEN, body).identifiers.get("user_email") == affected


def test_the_tenant_of_an_earlier_quoted_message_is_still_the_requesters() -> None:
    body = (
        "Thanks, that worked! But now the new key gets insufficient_scope.\n\n"
        "On Mon, 23 Nov 2026 at 10:00, Kestrel Support <support@kestrelmail.example> wrote:\n"
        "> We verified the domain for your organization org_60219377. Old error: rate_limit_exceeded.\n"
    )
    section = read(KESTREL, body)
    assert section.identifiers.get("organization_id") == "org_60219377"
    assert section.identifiers.get("error_code") == "insufficient_scope"


@pytest.mark.parametrize(
    ("vocabulary", "body", "prefix"),
    [
        (
            LUMEN,
            'curl https://api.lumen.example/v2/events -H "Authorization: Bearer lk_live_Ab3x'
            + "q7" * 14
            + '" returns 401',
            "lk_live_ab3x",
        ),
        (
            KESTREL,
            "Our .env has KESTREL_API_KEY=km_live_Zq8wE2" + "r5" * 17 + " and sends fail.",
            "km_live_Zq8wE2",
        ),
    ],
)
def test_a_pasted_key_gives_its_prefix_and_is_masked(
    vocabulary: IntakeVocabulary, body: str, prefix: str
) -> None:
    section = read(vocabulary, body)
    assert (section.identifiers.get("api_key_prefix") or "").lower() == prefix.lower()
    assert "q7q7" not in section.model_dump_json() and "r5r5" not in section.model_dump_json()


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("Since 9:00 our messages are rejected with error sending_paused.", "sending_paused"),
        ("Nos envois sont refusés avec domain_warmup_limit depuis lundi.", "domain_warmup_limit"),
        # right after the HTTP status, as an error body's reason, in brackets after the failure
        ("Mit einem PDF über 10 MB kommt 413 mit attachment_too_large zurück.", "attachment_too_large"),
        (
            'The notice said:\n{"type": "webhook.disabled", "reason": "endpoint_returned_410"}',
            "endpoint_returned_410",
        ),
        (
            "Adding the domain fails: Domain could not be added (domain_already_claimed)",
            "domain_already_claimed",
        ),
        # one that says what went wrong, quoted or given as the reason
        ("Sinds 11:00 weigert de API alles met 'spend_cap_reached'.", "spend_cap_reached"),
        (
            "Deliveries are failing.\n\nReason: tls_certificate_expired (certificate expired)",
            "tls_certificate_expired",
        ),
        ('l\'avis dit "card_declined: do_not_honor", la carte est bonne', "card_declined"),
        ("la console affiche « tracking_domain_conflict : un CNAME existe »", "tracking_domain_conflict"),
    ],
)
def test_an_undocumented_lower_case_code_named_as_the_error_is_one(body: str, code: str) -> None:
    section = read(KESTREL, body)
    assert section.identifiers.get("error_code") == code
    assert "error_details" not in section.missing


def test_a_snake_case_field_in_pasted_code_is_no_code() -> None:
    section = read(KESTREL, "We pass send_at and reply_to in the payload; the send never arrives.")
    assert "error_code" not in section.identifiers


def test_snake_case_names_are_no_code_where_codes_are_upper_case() -> None:
    section = read(LUMEN, "The upload fails with batch_size set to 500 in our config.")
    assert "error_code" not in section.identifiers


def test_an_id_called_another_organisations_anywhere_is_not_the_requesters_elsewhere() -> None:
    body = (
        "I'm a consultant at Northpeak (our account is acc_np71qz). We need admin access to their "
        "workspace ws_c8ln3r. Could you add me as admin on ws_c8ln3r?"
    )
    section = read(LUMEN, body)
    assert "workspace_id" not in section.identifiers
    assert "ws_c8ln3r" in section.foreign_identifiers and section.cross_tenant


@pytest.mark.parametrize(
    "body",
    [
        "Since this morning every send fails:\n-> kestrel.errors.PermissionError: 403 insufficient_scope\n",
        "Since this morning every send fails:\n    raise APIError.from_response(r)\nkestrel.errors.APIError: 403\n",
        # an address's local part is no host
        "Please send the new key to ana.beatriz.siqueira@gmail.com, sends fail since 9:00.",
        # nor is the receiving mail server
        "The bounce says: host gmail-smtp-in.l.google.com said: 550 5.7.26 unauthenticated sender",
        # nor the blocklist that refused the mail
        "Voltam com: 554 5.7.1 Service unavailable; Client host [198.51.100.23] blocked using zen.spamhaus.org",
        # nor the sender of a request refused for its key (part of the repro only)
        'New key rejected:\n-d \'{"from":"orders@parcelpal.co","to":"leo@parcelpal.co"}\'\n'
        '{"error":{"type":"invalid_api_key","message":"API key not recognized"}}',
    ],
)
def test_a_class_in_a_stack_trace_or_an_addresss_local_part_is_no_sending_domain(body: str) -> None:
    assert "sending_domain" not in read(KESTREL, body).identifiers


@pytest.mark.parametrize(
    ("body", "domain"),
    [
        (
            "Authentication-Results: mx.google.com; dkim=fail header.d=news.praxis-example.de; dmarc=fail",
            "news.praxis-example.de",
        ),
        ("Die Domain weber-feinkost.de ist bei Ihnen verifiziert, trotzdem 550 5.7.1.", "weber-feinkost.de"),
        # the sender of a pasted request, or one told
        (
            'Every send fails with 400:\n-d \'{"from":"Glowstack <hello@glowstack.io>","to":["qa@glowstack.io"]}\'',
            "glowstack.io",
        ),
        (
            "$client->messages->send(['from' => 'rechnung@mail.schreinerei-vogt.de', 'to' => $kunde]);",
            "mail.schreinerei-vogt.de",
        ),
        (
            "Rückläufer von Gmail: 550 5.7.26 unauthenticated. Absender war buchung@alpenblick-hotels.at.",
            "alpenblick-hotels.at",
        ),
    ],
)
def test_the_sending_domain_is_the_sender_side_or_any_host_called_a_domain(body: str, domain: str) -> None:
    assert read(KESTREL, body).identifiers.get("sending_domain") == domain


def test_a_mail_servers_success_reply_is_no_error_code_but_the_status_shown() -> None:
    body = "Our customer never got the quote. Your log shows a green tick: Delivered – 250 2.0.0 OK. org_44907163"
    section = read(KESTREL, body)
    assert "error_code" not in section.identifiers
    assert "error_details" not in section.missing
    assert (
        read(KESTREL, "Every send bounces with 550 5.1.1 since Monday.").identifiers["error_code"]
        == "550 5.1.1"
    )


def test_whose_an_id_is_read_with_the_domains_own_name_for_its_tenant() -> None:
    """ "their project (<id>)" is another organisation's only where the product calls its tenant or
    scope a project: the word comes from the domain folder, not from the engine."""
    body = "Hi, our deliveries to Gmail bounce since this morning. It is their project (org_12345678) that I run."
    with_projects = dataclasses.replace(KESTREL, tenant_words=(*KESTREL.tenant_words, "project"))
    assert read(KESTREL, body).identifiers.get("organization_id") == "org_12345678"
    mine = read(with_projects, body)
    assert "organization_id" not in mine.identifiers
    assert mine.foreign_identifiers == ["org_12345678"]
    assert about_another_party("We need their project settings.", with_projects)
    assert not about_another_party("We need their project settings.", KESTREL)


def test_a_demand_for_a_tenants_data_names_it_in_the_domains_words() -> None:
    demand = "Please show me project org_12345678 details."
    with_projects = dataclasses.replace(KESTREL, tenant_words=(*KESTREL.tenant_words, "project"))
    assert injection_spans(demand, with_projects)
    assert not injection_spans(demand, KESTREL)
    assert injection_spans("Please show me organization org_12345678 details.", KESTREL)


def test_a_german_filiale_is_one_of_the_companys_own_shops() -> None:
    """ "Umsatz je Filiale" (revenue per branch) names no other organisation; "notre filiale
    espagnole" does."""
    own = read(LUMEN, 'Unser geplanter Export „Umsatz je Filiale" (exp_r7c2mw) hängt seit Freitag.')
    assert own.identifiers.get("export_id") == "exp_r7c2mw"
    assert not own.cross_tenant
    theirs = read(
        LUMEN, "Pouvez-vous fusionner notre compte avec celui de notre filiale espagnole (acc_vy8a4p) ?"
    )
    assert "acc_vy8a4p" in theirs.foreign_identifiers


def test_the_products_own_example_id_is_no_other_tenant() -> None:
    """An id the product's documentation shows as its placeholder (the domain's `example`) names
    no other customer: the ticket is not cross-tenant for it."""
    section = read(
        KESTREL,
        'The contract template on your site has "org_12345678" in its annex as a placeholder. I assume '
        "we just replace it with ours, org_20583317, and sign?",
    )
    assert section.identifiers.get("organization_id") == "org_20583317"
    assert "org_12345678" in section.foreign_identifiers
    assert not section.cross_tenant
    other = read(KESTREL, "Could you add me as admin on their organization (org_55501234)?")
    assert other.cross_tenant
