# ruff: noqa: E501
# (The excerpt pool below is a table with one sentence per line; it reads best unwrapped.)
"""Generate the SYNTHETIC demo data set: survey, population, interviews, codebook.

Every value written here is invented; no real person is described. The output is
deterministic: each part of the data draws from its own `random.Random` seeded with a
string naming that part (region, year, purpose), so the same script always writes the
same bytes, and adding synthetic regions (`--regions N`) never changes the six real ones.

Usage:
    python data/demo/make_demo.py [--out DIR] [--regions N]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
try:
    from pipeline import schema
except ImportError:  # run as a plain script from a checkout without the package installed
    sys.path.insert(0, str(HERE.parents[1]))
    from pipeline import schema

SEED = "peer-eval-demo"
YEARS: tuple[int, ...] = (2017, 2018, 2019, 2020)
DEFAULT_REGIONS = len(schema.REGIONS)
MAX_REGIONS = 320  # Sweden: 290 municipalities and 21 regions
REGION_CODES: dict[str, str] = {
    "Stockholm": "STO",
    "Skåne": "SKA",
    "Västra Götaland": "VGR",
    "Norrland": "NOR",
    "Jönköping": "JON",
    "Örebro": "ORE",
}
SURVEY_HEADER: tuple[str, ...] = schema.SURVEY_COLUMNS + ("employer",)

# (responses, target population) per region and year; 2020 is the seed's table.
RESPONSES: dict[str, dict[int, tuple[int, int]]] = {
    "Stockholm": {2017: (3, 5), 2018: (5, 7), 2019: (6, 9), 2020: (7, 8)},
    "Skåne": {2017: (9, 21), 2018: (12, 26), 2019: (16, 31), 2020: (19, 35)},
    "Västra Götaland": {2017: (3, 5), 2018: (6, 9), 2019: (9, 12), 2020: (11, 14)},
    "Norrland": {2017: (1, 1), 2018: (1, 2), 2019: (2, 2), 2020: (2, 2)},
    "Jönköping": {2017: (2, 3), 2018: (2, 5), 2019: (4, 7), 2020: (4, 8)},
    "Örebro": {2017: (1, 1), 2018: (1, 1), 2019: (1, 2), 2020: (1, 1)},
}

# Who employs the peer supporters and who trained them, by region (weights).
EMPLOYERS: dict[str, dict[str, float]] = {
    "Stockholm": {"kommun": 9, "brukarorganisation": 1},
    "Skåne": {"region": 5, "kommun": 3, "brukarorganisation": 2},
    "Västra Götaland": {"region": 6, "kommun": 4},
    "Norrland": {"region": 1},
    "Jönköping": {"region": 3, "kommun": 2},
    "Örebro": {"region": 1},
}
PROVIDERS: dict[str, dict[str, float]] = {
    "Stockholm": {"nsph": 1},
    "Skåne": {"nsph": 16, "region": 3, "annan": 1},
    "Västra Götaland": {"nsph": 9, "annan": 1},
    "Norrland": {"nsph": 1},
    "Jönköping": {"nsph": 3, "region": 1},
    "Örebro": {"nsph": 1},
}

# Percentiles of months worked in 2020 (from the seed's figures), as a quantile function.
MONTHS_QUANTILES: tuple[tuple[float, float], ...] = (
    (0.0, 0.0),
    (0.05, 1.2),
    (0.10, 3.4),
    (0.25, 7.5),
    (0.50, 22.0),
    (0.75, 67.5),
    (0.90, 88.8),
    (0.95, 99.3),
    (1.0, 120.0),
)

NAMES: tuple[str, ...] = (
    "Anders",
    "Anna",
    "Erik",
    "Eva",
    "Fatima",
    "Göran",
    "Ingrid",
    "Johan",
    "Karin",
    "Kerstin",
    "Lars",
    "Maria",
    "Mats",
    "Mikael",
    "Sara",
    "Åsa",
)

# --- codebook -----------------------------------------------------------------------------
# (id, sv label, en label, sv description, en description, children)
Theme = tuple[str, str, str, str, str, tuple["Theme", ...]]
CODEBOOK: tuple[Theme, ...] = (
    (
        "implementering",
        "Implementering",
        "Implementation",
        "Hur peer support förs in i en verksamhet: förberedelser, förutsättningar och stöd.",
        "How peer support is brought into a service: preparation, conditions and support.",
        (
            (
                "implementering.introduktion",
                "Introduktion på arbetsplatsen",
                "Introduction at the workplace",
                "Hur peer supportern tas emot och introduceras i arbetsgruppen.",
                "How the peer supporter is received and introduced to the team.",
                (),
            ),
            (
                "implementering.arbetsbeskrivning",
                "Arbetsbeskrivning",
                "Job description",
                "Om uppdraget är nedskrivet och hur tydligt det är för alla parter.",
                "Whether the assignment is written down and how clear it is to everyone.",
                (),
            ),
            (
                "implementering.rekrytering",
                "Rekrytering",
                "Recruitment",
                "Hur peer supportrar söks, väljs ut och anställs.",
                "How peer supporters are sought, selected and employed.",
                (),
            ),
            (
                "implementering.utbildning",
                "Utbildning",
                "Training",
                "Peer support-utbildningen och personalens kunskap om rollen.",
                "The peer-support training and the staff's knowledge of the role.",
                (),
            ),
            (
                "implementering.handledning",
                "Handledning",
                "Supervision",
                "Löpande handledning, dess form och betydelse för arbetet.",
                "Ongoing supervision, its form and what it means for the work.",
                (),
            ),
            (
                "implementering.arbetsmiljo",
                "Arbetsmiljö och personalfrågor",
                "Work environment and HR",
                "Arbetsplats, arbetsbelastning, egen hälsa och arbetsgivarens ansvar.",
                "Workplace, workload, own health and the employer's responsibility.",
                (),
            ),
            (
                "implementering.lon",
                "Lön och status",
                "Salary and status",
                "Lönenivå och hur rollen värderas jämfört med andra yrkesgrupper.",
                "Salary level and how the role is valued compared with other professions.",
                (),
            ),
            (
                "implementering.forankring",
                "Förankring och motstånd",
                "Anchoring and resistance",
                "Hur idén förankras hos chefer och personal, och motstånd mot den nya rollen.",
                "How the idea is anchored with managers and staff, and resistance to the role.",
                (),
            ),
        ),
    ),
    (
        "roll",
        "Yrkesroll och arbetsfördelning",
        "Professional role and division of work",
        "Vad som är unikt för peer supportern och hur arbetet delas med övrig personal.",
        "What is unique to the peer supporter and how work is shared with other staff.",
        (
            (
                "roll.yrkesroll",
                "Yrkesrollen",
                "The professional role",
                "Rollens innehåll och gränser, mellan personal och brukare.",
                "The content and limits of the role, between staff and service users.",
                (),
            ),
            (
                "roll.arbetsfordelning",
                "Arbetsfördelning",
                "Division of work",
                "Vem gör vad i arbetsgruppen, dokumentation och informationsöverföring.",
                "Who does what in the team, documentation and passing on information.",
                (),
            ),
        ),
    ),
    (
        "bidrag_brukare",
        "Bidrag till brukarna",
        "Contribution to service users",
        "Vad peer supporten betyder för brukarnas återhämtning.",
        "What peer support means for the service users' recovery.",
        (
            (
                "bidrag_brukare.forstaelse",
                "Förståelse genom gemensam erfarenhet",
                "Understanding from shared experience",
                "Att mötas av någon som själv har varit i en liknande situation.",
                "Being met by someone who has been in a similar situation.",
                (),
            ),
            (
                "bidrag_brukare.tid",
                "Tid",
                "Time",
                "Att peer supportern kan ägna tid åt en person utan att skynda.",
                "That the peer supporter can give one person time without hurrying.",
                (),
            ),
            (
                "bidrag_brukare.samtal",
                "Samtalet i centrum",
                "Conversation at the centre",
                "Samtal om livet och framtiden, oavsett vilken aktivitet som görs.",
                "Conversation about life and the future, whatever the activity.",
                (),
            ),
            (
                "bidrag_brukare.isolering",
                "Att bryta isolering",
                "Breaking isolation",
                "Att komma ut, träffa andra och bygga nya kontakter.",
                "Getting out, meeting others and building new contacts.",
                (),
            ),
        ),
    ),
    (
        "bidrag_organisation",
        "Bidrag till verksamheterna",
        "Contribution to the organisations",
        "Hur peer support påverkar personalgruppen, bemötandet och synen på brukarna.",
        "How peer support affects the staff, their approach and their view of service users.",
        (
            (
                "bidrag_organisation.brukarperspektiv",
                "Brukarperspektiv i verksamheten",
                "User perspective in the service",
                "Att brukarnas perspektiv blir närvarande i vardagen och på möten.",
                "That the users' perspective is present in daily work and at meetings.",
                (),
            ),
            (
                "bidrag_organisation.komplement",
                "Komplement till ordinarie personal",
                "Complement to regular staff",
                "Peer supportern som tillskott, inte ersättning för annan personal.",
                "The peer supporter as an addition, not a replacement for other staff.",
                (),
            ),
        ),
    ),
    (
        "fortsattning",
        "Fortlevnad och spridning",
        "Continuation and spread",
        "Förutsättningar för att verksamheten ska leva vidare och spridas.",
        "Conditions for the work to continue and spread.",
        (
            (
                "fortsattning.finansiering",
                "Långsiktig finansiering",
                "Long-term funding",
                "Projektmedel år för år jämfört med en permanent lösning.",
                "Year-by-year project funds compared with a permanent solution.",
                (),
            ),
            (
                "fortsattning.spridning",
                "Spridning",
                "Spread",
                "Att fler enheter och förvaltningar tar del av erfarenheterna.",
                "More units and departments taking up the experience.",
                (),
            ),
        ),
    ),
    (
        "genus",
        "Genus och intersektionalitet",
        "Gender and intersectionality",
        "Kön, ålder och bakgrund hos peer supportrar och brukare, och hur de matchas.",
        "Gender, age and background of peer supporters and users, and how they are matched.",
        (),
    ),
)

# --- recommendations -------------------------------------------------------------------------
# (id, region, made, sv text, en text, {follow-up year: status})
RECOMMENDATIONS: tuple[tuple[str, str, int, str, str, dict[int, str]], ...] = (
    (
        "STO-2017-1",
        "Stockholm",
        2017,
        "Ta fram en skriftlig introduktionsplan för varje ny peer supporter.",
        "Draw up a written introduction plan for each new peer supporter.",
        {2018: "delvis", 2020: "genomford"},
    ),
    (
        "STO-2017-2",
        "Stockholm",
        2017,
        "Skriv arbetsbeskrivningar som gör uppdraget och ansvarsfördelningen tydliga.",
        "Write job descriptions that make the assignment and responsibilities clear.",
        {2018: "kvarstar", 2020: "delvis"},
    ),
    (
        "STO-2017-3",
        "Stockholm",
        2017,
        "Förankra peer support i personalgruppen innan en peer supporter börjar.",
        "Anchor peer support with the staff before a peer supporter starts.",
        {2018: "delvis", 2020: "delvis"},
    ),
    (
        "STO-2018-1",
        "Stockholm",
        2018,
        "Dokumentera utbildningens innehåll så att verksamheterna kan ta del av det.",
        "Document the content of the training so that the services can access it.",
        {2020: "kvarstar"},
    ),
    (
        "STO-2018-2",
        "Stockholm",
        2018,
        "Ersätt ettåriga projektmedel med en långsiktig finansiering.",
        "Replace one-year project funds with long-term funding.",
        {2020: "kvarstar"},
    ),
    (
        "SKA-2018-1",
        "Skåne",
        2018,
        "Samordna lönesättningen för peer supportrar mellan region och kommuner.",
        "Coordinate peer supporters' salaries between the region and the municipalities.",
        {2019: "kvarstar", 2020: "delvis"},
    ),
    (
        "VGR-2019-1",
        "Västra Götaland",
        2019,
        "Se till att varje enhet har minst två peer supportrar.",
        "Make sure every unit has at least two peer supporters.",
        {2020: "delvis"},
    ),
    (
        "JON-2018-1",
        "Jönköping",
        2018,
        "Erbjud handledning minst varannan vecka.",
        "Offer supervision at least every other week.",
        {2019: "delvis", 2020: "genomford"},
    ),
)

# --- excerpt pool ---------------------------------------------------------------------------
# Groups who could plausibly say a sentence: C enhetschef, M medarbetare, P peer supporter,
# B brukare. (theme, factor, groups, sentence)
GROUP_LETTERS: dict[str, str] = {
    "enhetschef": "C",
    "medarbetare": "M",
    "peer_supporter": "P",
    "brukare": "B",
}
# fmt: off
POOL: tuple[tuple[str, str, str, str], ...] = (
    # implementering
    ("implementering", "framjande", "C", "Vi hade en plan redan före första dagen, och det gjorde stor skillnad för hela införandet."),
    ("implementering", "hindrande", "CM", "Allt gick väldigt fort i början. Beslutet kom uppifrån och vi fick lösa detaljerna efter hand."),
    ("implementering", "neutral", "C", "Det tar nog ett par år innan en sådan här förändring sätter sig i en verksamhet."),
    ("implementering.introduktion", "framjande", "C", "Vi gick igenom rutinerna tillsammans första veckan och presenterade henne på personalmötet."),
    ("implementering.introduktion", "hindrande", "P", "Första dagen visste ingen att jag skulle komma. Jag fick sitta i fikarummet och vänta."),
    ("implementering.introduktion", "hindrande", "M", "Jag fick veta ganska sent att vi skulle ha en peer supporter, och då hade hon redan börjat."),
    ("implementering.introduktion", "hindrande", "P", "Det fanns ingen introduktion alls. Jag fick fråga mig fram om nycklar, dator och rutiner."),
    ("implementering.introduktion", "framjande", "P", "Min chef hade förberett gruppen väl, så jag kände mig välkommen från början."),
    ("implementering.introduktion", "framjande", "M", "Det hjälpte att vi fick en gemensam genomgång av vad peer support är innan han började."),
    ("implementering.introduktion", "neutral", "C", "Nästa gång vill jag ha en skriftlig introduktionsplan, likadan som för andra nyanställda."),
    ("implementering.arbetsbeskrivning", "hindrande", "P", "Jag har fortfarande ingen arbetsbeskrivning, så jag får förklara min roll om och om igen."),
    ("implementering.arbetsbeskrivning", "hindrande", "M", "Det är oklart vad som ingår i hans uppdrag och vad som är vårt ansvar."),
    ("implementering.arbetsbeskrivning", "framjande", "C", "Vi skrev arbetsbeskrivningen tillsammans med peer supportern och har reviderat den en gång."),
    ("implementering.arbetsbeskrivning", "neutral", "C", "En gemensam mall för arbetsbeskrivningar från förvaltningen hade underlättat."),
    ("implementering.arbetsbeskrivning", "framjande", "P", "När uppdraget väl stod på papper blev det lättare att säga nej till sådant som inte ingår."),
    ("implementering.rekrytering", "framjande", "C", "Vi var noga med att rekrytera någon som kommit en bit i sin egen återhämtning."),
    ("implementering.rekrytering", "hindrande", "C", "Det var svårt att hitta sökande, och till slut fick vi ta den som fanns."),
    ("implementering.rekrytering", "hindrande", "P", "Anställningen drog ut på tiden, det tog nästan ett halvår från intervju till första arbetsdag."),
    ("implementering.rekrytering", "framjande", "M", "Det är en fördel att vi har två peer supportrar, då blir ingen ensam i rollen."),
    ("implementering.rekrytering", "neutral", "C", "Vi hade gärna sett fler sökande, både män och kvinnor och personer med olika bakgrund."),
    ("implementering.utbildning", "framjande", "P", "Utbildningen hos NSPH gav mig ett språk för det jag själv har varit med om."),
    ("implementering.utbildning", "hindrande", "P", "Utbildningen var bra men kort, och mycket av det praktiska fick jag lära mig på plats."),
    ("implementering.utbildning", "hindrande", "C", "Vi vet inte riktigt vad utbildningen innehåller. Det finns ingen dokumentation att ta del av."),
    ("implementering.utbildning", "framjande", "M", "Vi i personalgruppen fick en halvdag om peer support, och det öppnade ögonen på flera av oss."),
    ("implementering.utbildning", "neutral", "P", "Jag skulle vilja ha fortbildning efter något år, kanske om samtalsmetodik eller att leda grupper."),
    ("implementering.handledning", "framjande", "P", "Handledningen är livsviktig. Där kan jag lägga ifrån mig det tunga och få perspektiv."),
    ("implementering.handledning", "framjande", "P", "Vi träffas i grupp med andra peer supportrar, och det är där jag hämtar kraft."),
    ("implementering.handledning", "hindrande", "P", "När handledningen ställdes in under våren blev jag ganska ensam med mina tankar."),
    ("implementering.handledning", "neutral", "C", "Handledningen sköts av NSPH, så jag har ingen insyn i vad de tar upp."),
    ("implementering.handledning", "hindrande", "C", "Det blir dubbla spår när handledningen sker på ett håll och arbetsledningen på ett annat."),
    ("implementering.arbetsmiljo", "hindrande", "P", "Ibland kommer mina egna minnen tillbaka när jag möter någon i kris. Det måste man få prata om."),
    ("implementering.arbetsmiljo", "framjande", "P", "Jag har ett eget skrivbord och en given plats på morgonmötet. Det låter litet men betyder mycket."),
    ("implementering.arbetsmiljo", "hindrande", "M", "Vi vet inte hur vi ska agera om peer supportern själv mår dåligt, och det gör oss osäkra."),
    ("implementering.arbetsmiljo", "framjande", "C", "Vi har lagt schemat så att det finns tid för återhämtning efter tunga samtal."),
    ("implementering.arbetsmiljo", "neutral", "C", "Sjukskrivning och anpassningar hanteras på samma sätt som för alla andra anställda."),
    ("implementering.lon", "hindrande", "P", "Lönen speglar inte vad vi gör. Jag tjänar mindre än en nyanställd skötare."),
    ("implementering.lon", "hindrande", "P", "Det känns som att vi är lite mindre värda, både i lön och i status."),
    ("implementering.lon", "neutral", "C", "Lönesättningen är svår när det inte finns någon jämförbar yrkesgrupp att utgå från."),
    ("implementering.lon", "framjande", "P", "I år fick jag en ordentlig löneökning, och det kändes som ett erkännande."),
    ("implementering.forankring", "hindrande", "P", 'Några i personalen kallade mig "praktikanten" i flera månader. Det var tufft.'),
    ("implementering.forankring", "hindrande", "M", "Jag var skeptisk i början, jag trodde att det kunde bli en risk för brukarna."),
    ("implementering.forankring", "framjande", "C", "När personalen såg vad det gav brukarna svängde inställningen ganska snabbt."),
    ("implementering.forankring", "hindrande", "C", "Idén måste förankras hos medarbetarna först, annars växer ett motstånd som är svårt att vända."),
    ("implementering.forankring", "framjande", "M", "Nu är hon en självklar del av arbetslaget, ingen ifrågasätter det längre."),
    # roll
    ("roll", "hindrande", "M", "Rollen är fortfarande lite luddig, man vet inte riktigt var den börjar och slutar."),
    ("roll", "neutral", "C", "Det är en ny yrkesroll, så det är klart att den behöver tid att hitta sin form."),
    ("roll.yrkesroll", "hindrande", "P", "Jag står lite mittemellan, varken personal eller brukare, och det kan vara ensamt."),
    ("roll.yrkesroll", "framjande", "P", "Jag ser mig som en brobyggare mellan brukarna och personalen."),
    ("roll.yrkesroll", "hindrande", "M", "Ibland blir det oklart om hon är kollega eller brukare, till exempel i personalrummet."),
    ("roll.yrkesroll", "framjande", "B", "Han är inte som personalen. Han är mer som en kompis, fast ändå proffsig."),
    ("roll.yrkesroll", "neutral", "P", "Jag är öppen med min egen historia, men bara så mycket som hjälper den jag pratar med."),
    ("roll.yrkesroll", "hindrande", "C", "Vi har inte pratat tillräckligt om vad som är unikt i rollen, och då blir den otydlig."),
    ("roll.arbetsfordelning", "hindrande", "P", "Det händer att jag får det ingen annan vill göra, som att diska efter en aktivitet."),
    ("roll.arbetsfordelning", "framjande", "M", "Jag tar myndighetskontakterna och hon tar de långa promenaderna och samtalen."),
    ("roll.arbetsfordelning", "hindrande", "M", "Det blir ibland dubbelarbete eftersom vi inte vet vem som har pratat med vem."),
    ("roll.arbetsfordelning", "neutral", "C", "Peer supportern dokumenterar inte i journalen, så vi har fått hitta andra vägar för informationen."),
    ("roll.arbetsfordelning", "framjande", "C", "Det fungerar bäst när peer supportern kompletterar och inte ersätter någon annan tjänst."),
    # bidrag_brukare
    ("bidrag_brukare", "framjande", "B", "Jag har kommit längre i år än på många år innan, och det har mycket med henne att göra."),
    ("bidrag_brukare", "framjande", "C", "Vi ser att brukarna kommer oftare och stannar längre när peer supportern är på plats."),
    ("bidrag_brukare.forstaelse", "framjande", "B", "Hon vet hur det är att inte orka ta sig ur sängen. Jag behöver inte förklara."),
    ("bidrag_brukare.forstaelse", "framjande", "B", "Det är skönt att prata med någon som har varit där själv. Då skäms jag inte lika mycket."),
    ("bidrag_brukare.forstaelse", "framjande", "P", "När jag berättar att jag själv har varit inlagd förändras hela samtalet."),
    ("bidrag_brukare.forstaelse", "framjande", "M", "Hon förstår saker som vi i personalen bara har läst om."),
    ("bidrag_brukare.forstaelse", "framjande", "B", "Han sa att det går att bli bättre, och eftersom han själv har gjort resan kunde jag tro på det."),
    ("bidrag_brukare.forstaelse", "neutral", "B", "Först var jag tveksam. Jag trodde inte att någon kunde förstå just min situation."),
    ("bidrag_brukare.tid", "framjande", "B", "Hon har alltid tid. Personalen springer mest förbi, men hon sätter sig ner."),
    ("bidrag_brukare.tid", "framjande", "B", "Vi kan gå en lång promenad utan att någon tittar på klockan."),
    ("bidrag_brukare.tid", "framjande", "P", "Jag kan ge en person en hel eftermiddag om det behövs, och det är en förmån."),
    ("bidrag_brukare.tid", "hindrande", "P", "När jag får fler och fler uppdrag räcker tiden inte till som förut."),
    ("bidrag_brukare.tid", "framjande", "M", "Hon har tid för det vi sällan hinner, att bara vara tillsammans med brukarna."),
    ("bidrag_brukare.tid", "neutral", "C", "Tiden är peer supporterns viktigaste verktyg, så vi skyddar den från administration."),
    ("bidrag_brukare.samtal", "framjande", "B", "Vi pratar om allt möjligt, om livet och framtiden, inte bara om mina problem."),
    ("bidrag_brukare.samtal", "framjande", "B", "Det är samtalen jag saknar mest när hon är ledig."),
    ("bidrag_brukare.samtal", "framjande", "P", "Vi kan baka eller spela biljard, men det är samtalet som är det viktiga."),
    ("bidrag_brukare.samtal", "framjande", "M", "Efter samtalen med honom är det lättare för brukaren att prata med oss också."),
    ("bidrag_brukare.samtal", "neutral", "B", "Ibland vill jag inte prata alls, och det är också okej för henne."),
    ("bidrag_brukare.isolering", "framjande", "B", "Förut satt jag hemma hela dagarna. Nu går jag till träffpunkten två gånger i veckan."),
    ("bidrag_brukare.isolering", "framjande", "B", "Hon följde med mig till caféet första gången. Annars hade jag aldrig vågat gå in."),
    ("bidrag_brukare.isolering", "framjande", "P", "Många jag träffar har inga andra kontakter än personalen, så bara att ses utomhus är ett steg."),
    ("bidrag_brukare.isolering", "hindrande", "B", "När verksamheten tar paus på sommaren blir det tomt igen."),
    ("bidrag_brukare.isolering", "framjande", "M", "En brukare som inte lämnat lägenheten på ett år följer nu med på utflykter."),
    # bidrag_organisation
    ("bidrag_organisation", "framjande", "C", "Hela verksamheten har fått en ny idé om vad återhämtning kan innebära."),
    ("bidrag_organisation.brukarperspektiv", "framjande", "M", "Vi pratar annorlunda om brukarna på personalmötena nu."),
    ("bidrag_organisation.brukarperspektiv", "framjande", "C", "Brukarperspektivet finns med i rummet på ett helt annat sätt än förut."),
    ("bidrag_organisation.brukarperspektiv", "framjande", "M", "Hon påminner oss om hur det känns att sitta på andra sidan bordet."),
    ("bidrag_organisation.brukarperspektiv", "neutral", "C", "Det är svårt att mäta, men jag tror att bemötandet har blivit bättre i hela enheten."),
    ("bidrag_organisation.komplement", "framjande", "C", "Peer supportern kompletterar personalen, hen ersätter ingen."),
    ("bidrag_organisation.komplement", "hindrande", "M", "Ibland används peer supportern som extra personal när vi är underbemannade, och så ska det inte vara."),
    ("bidrag_organisation.komplement", "framjande", "M", "Vi har fått en kompetens i arbetsgruppen som vi inte kan få på något annat sätt."),
    # fortsattning
    ("fortsattning", "hindrande", "C", "Det är svårt att planera när vi bara vet att pengarna räcker året ut."),
    ("fortsattning", "neutral", "P", "Jag undrar hela tiden om min tjänst finns kvar nästa år."),
    ("fortsattning.finansiering", "hindrande", "C", "Så länge det är projektpengar blir det aldrig en riktig del av verksamheten."),
    ("fortsattning.finansiering", "framjande", "C", "Nu när det ligger i ordinarie budget kan vi äntligen tänka långsiktigt."),
    ("fortsattning.finansiering", "hindrande", "P", "Med ettåriga beslut vågar man aldrig riktigt slå sig till ro."),
    ("fortsattning.spridning", "framjande", "C", "Flera andra enheter har hört av sig och vill veta hur vi har gjort."),
    ("fortsattning.spridning", "framjande", "M", "Jag skulle vilja att alla boenden i stadsdelen fick en peer supporter."),
    ("fortsattning.spridning", "neutral", "C", "För att sprida det här behövs någon som håller ihop arbetet centralt."),
    ("fortsattning.spridning", "framjande", "P", "Vi har föreläst för två andra förvaltningar, och intresset är stort."),
    ("fortsattning.spridning", "hindrande", "C", "Kunskapen riskerar att försvinna om den bara finns hos en eller två personer."),
    ("fortsattning.spridning", "framjande", "B", "Alla borde få träffa någon som hon. Jag har tipsat flera kompisar om det."),
    # genus
    ("genus", "neutral", "C", "De flesta brukarna här är män, medan de flesta peer supportrar är kvinnor, och det märks ibland."),
    ("genus", "framjande", "P", "Några av de yngre killarna öppnar sig lättare för en man med liknande erfarenheter."),
    ("genus", "hindrande", "B", "Jag hade velat prata med en kvinna om vissa saker, men det fanns ingen att välja."),
    ("genus", "neutral", "M", "Vi har inte tänkt så mycket på kön eller bakgrund när vi matchar brukare och peer supporter."),
    ("genus", "framjande", "C", "Vid nästa rekrytering vill vi få in fler perspektiv, till exempel någon som talar arabiska."),
)
# fmt: on
OPENERS: tuple[str, ...] = (
    "Ja, det är klart.",
    "Jag har tänkt mycket på det där.",
    "Hur ska jag säga.",
    "Det är en bra fråga.",
    "Om jag ska vara ärlig.",
    "Ja, alltså.",
    "Absolut.",
    "Både och, faktiskt.",
    "Jo, men det är så här.",
)
CLOSERS: dict[str, tuple[str, ...]] = {
    "C": ("Det har vi lärt oss mycket av.", "Det tar vi med oss framåt.",
          "Där har vi fortfarande en del kvar att göra.", "Det var inte självklart från början."),
    "M": ("Så har det varit för oss i alla fall.", "Det tror jag att fler håller med om.",
          "Så upplever jag det i min grupp.", "Det märktes redan efter några veckor."),
    "P": ("Det är något jag bär med mig.", "Men jag tycker om mitt jobb.",
          "Det var därför jag sökte det här arbetet.", "Ibland är det tungt, men oftast givande."),
    "B": ("Det betyder mycket för mig.", "Jag vet inte var jag hade varit annars.",
          "Så var det i alla fall för mig.", "Det hade jag inte trott innan."),
}  # fmt: skip
# Openers and closers are stock phrases: each is used at most once per region-year, so
# that no report shows the same phrase in two quotes.
# Personal data planted in a few excerpts so that pseudonymisation has work to do.
# (region, year, groups who could say it, sentence; {name}/{lower} are filled from NAMES)
PERSONAL_DATA: tuple[tuple[str, int, str, str], ...] = (
    ("Stockholm", 2017, "CMP", "Jag pratade med {name} om det efter mötet."),
    ("Stockholm", 2020, "MPB", "{name} på boendet sa precis samma sak."),
    ("Stockholm", 2020, "P", "Ring mig gärna på 070-174 06 42 om ni vill veta mer."),
    ("Stockholm", 2020, "C", "Skriv till {lower}.peer@example.org, så skickar jag vår plan."),
    ("Skåne", 2019, "B", "Hon hjälpte mig fylla i blanketten med mitt personnummer 850312-1234."),
    ("Skåne", 2020, "P", "Min handledare {name} nås på +46 70 174 06 77 om något händer."),
    ("Västra Götaland", 2018, "CM", "Kontoret har nummer 08-465 004 35, men {name} svarar sällan."),
    (
        "Norrland",
        2019,
        "B",
        "Det stod 19121212-1212 på lappen, alltså mitt personnummer, mitt på bordet.",
    ),
    ("Jönköping", 2020, "CMP", "Jag mejlade {lower}@example.com och fick svar samma dag."),
    ("Örebro", 2017, "B", "Det var {name} som tipsade mig om träffpunkten."),
)

# How often each theme comes up, by respondent group (relative weights).
THEME_WEIGHTS: dict[str, dict[str, float]] = {
    "enhetschef": {
        "implementering": 2,
        "implementering.introduktion": 3,
        "implementering.arbetsbeskrivning": 2,
        "implementering.rekrytering": 3,
        "implementering.utbildning": 1,
        "implementering.handledning": 1,
        "implementering.arbetsmiljo": 1,
        "implementering.lon": 1,
        "implementering.forankring": 2,
        "roll": 2,
        "roll.yrkesroll": 1,
        "roll.arbetsfordelning": 2,
        "bidrag_brukare": 1,
        "bidrag_brukare.tid": 1,
        "bidrag_organisation": 2,
        "bidrag_organisation.brukarperspektiv": 2,
        "bidrag_organisation.komplement": 2,
        "fortsattning": 2,
        "fortsattning.finansiering": 2,
        "fortsattning.spridning": 2,
        "genus": 1,
    },
    "medarbetare": {
        "implementering": 1,
        "implementering.introduktion": 3,
        "implementering.arbetsbeskrivning": 2,
        "implementering.rekrytering": 1,
        "implementering.utbildning": 1,
        "implementering.arbetsmiljo": 1,
        "implementering.forankring": 3,
        "roll": 2,
        "roll.yrkesroll": 2,
        "roll.arbetsfordelning": 3,
        "bidrag_brukare.forstaelse": 2,
        "bidrag_brukare.tid": 1,
        "bidrag_brukare.samtal": 1,
        "bidrag_brukare.isolering": 1,
        "bidrag_organisation.brukarperspektiv": 3,
        "bidrag_organisation.komplement": 2,
        "fortsattning.spridning": 1,
        "genus": 1,
    },
    "peer_supporter": {
        "implementering.introduktion": 3,
        "implementering.arbetsbeskrivning": 2,
        "implementering.rekrytering": 1,
        "implementering.utbildning": 2,
        "implementering.handledning": 3,
        "implementering.arbetsmiljo": 2,
        "implementering.lon": 2,
        "implementering.forankring": 2,
        "roll.yrkesroll": 3,
        "roll.arbetsfordelning": 1,
        "bidrag_brukare.forstaelse": 2,
        "bidrag_brukare.tid": 1,
        "bidrag_brukare.samtal": 1,
        "bidrag_brukare.isolering": 1,
        "fortsattning": 1,
        "fortsattning.finansiering": 1,
        "fortsattning.spridning": 1,
        "genus": 1,
    },
    "brukare": {
        "roll.yrkesroll": 1,
        "bidrag_brukare": 1,
        "bidrag_brukare.forstaelse": 4,
        "bidrag_brukare.tid": 3,
        "bidrag_brukare.samtal": 3,
        "bidrag_brukare.isolering": 3,
        "fortsattning.spridning": 1,
        "genus": 1,
    },
}
# Themes whose weight changes over the rounds: (theme prefix, multiplier per year step).
# Early on the role and the introduction dominate; later continuation and time do.
FADING = ("roll", "implementering.introduktion", "implementering.arbetsbeskrivning")
GROWING = ("fortsattning", "bidrag_brukare.tid")
STOCKHOLM_TREND = {2017: (3.0, 0.3), 2018: (1.8, 1.0), 2019: (1.0, 1.5), 2020: (0.35, 3.0)}
OTHER_TREND = {2017: (1.5, 0.6), 2018: (1.2, 0.9), 2019: (1.0, 1.2), 2020: (0.8, 1.5)}

# Stockholm's evaluation rounds: (group, form, participants) per interview, in order.
STOCKHOLM_ROUNDS: dict[int, list[tuple[str, str, int]]] = {
    2017: [("enhetschef", "individuell", 1)] * 5
    + [("medarbetare", "individuell", 1)] * 6
    + [("peer_supporter", "grupp", 3)]
    + [("brukare", "individuell", 1)] * 6,
    2018: [("enhetschef", "individuell", 1)] * 4
    + [("medarbetare", "individuell", 1)] * 5
    + [("medarbetare", "grupp", 3)]
    + [("peer_supporter", "grupp", 5)]
    + [("brukare", "individuell", 1)] * 7
    + [("brukare", "grupp", 3)],
    2019: [],
    2020: [("enhetschef", "individuell", 1)] * 4
    + [("medarbetare", "individuell", 1)] * 7
    + [("peer_supporter", "grupp", 6)]
    + [("brukare", "individuell", 1)] * 8
    + [("brukare", "grupp", 4)],
}


# --- helpers ----------------------------------------------------------------------------------
def _rng(*parts: object) -> random.Random:
    """Return a generator seeded from a string naming one part of the data.

    String seeds are hashed with SHA-512 by `random`, so they do not depend on
    PYTHONHASHSEED and are stable across runs and platforms.
    """
    return random.Random("/".join([SEED, *map(str, parts)]))


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    """Draw one key of `weights` (in insertion order, so the draw is reproducible)."""
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _maybe(rng: random.Random, p_missing: float, value: object) -> object:
    """Return None with probability p_missing, else value (one draw either way)."""
    return None if rng.random() < p_missing else value


def _cell(value: object) -> str:
    """Format one CSV cell: empty for missing, integers without decimals, point decimals."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.1f}"
    return str(value)


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """Render a comma-separated table with a header and "\\n" line endings."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return buffer.getvalue()


def _q(text: str) -> str:
    """Quote a string for YAML (a JSON string is a valid YAML double-quoted scalar)."""
    return json.dumps(text, ensure_ascii=False)


def region_names(n: int) -> list[str]:
    """Return the names of the first n demo regions.

    Args:
        n: Number of regions (1..MAX_REGIONS).

    Returns:
        The six real regions first, then "Region 07", "Region 08", ...
    """
    real = list(schema.REGIONS[:n])
    return real + [f"Region {i:02d}" for i in range(len(real) + 1, n + 1)]


def _region_code(region: str) -> str:
    """Return the three-letter code used in interview ids (R07 for Region 07)."""
    return REGION_CODES.get(region) or f"R{region.split()[-1]}"


def _counts(region: str, year: int) -> tuple[int, int]:
    """Return (responses, target population) for a region and year."""
    if region in RESPONSES:
        return RESPONSES[region][year]
    rng = _rng("counts", region)
    base = rng.randint(3, 30)
    growth = rng.uniform(0.35, 0.6)
    steps = 2020 - year
    population = max(1, round(base * (1 - growth) ** (steps / 2)))
    rng_year = _rng("counts", region, year)
    responses = max(1, min(population, round(population * rng_year.uniform(0.45, 0.95))))
    return responses, population


# --- survey -----------------------------------------------------------------------------------
def _months_quantile(u: float) -> float:
    """Interpolate the months-worked quantile function at u in [0, 1]."""
    for (u0, m0), (u1, m1) in zip(MONTHS_QUANTILES, MONTHS_QUANTILES[1:], strict=False):
        if u <= u1:
            return m0 + (m1 - m0) * (u - u0) / (u1 - u0)
    return MONTHS_QUANTILES[-1][1]


def _profile(region: str) -> tuple[dict[str, float], dict[str, float]]:
    """Return (employer weights, training provider weights) for a region."""
    if region in EMPLOYERS:
        return EMPLOYERS[region], PROVIDERS[region]
    rng = _rng("profile", region)
    employers = {"region": rng.randint(1, 5), "kommun": rng.randint(1, 5), "annan": 1}
    return employers, {"nsph": rng.randint(5, 10), "region": rng.randint(0, 3), "annan": 1}


def _respondent(rng: random.Random, region: str, year: int) -> dict[str, object]:
    """Draw one plausible respondent (every column independently missing now and then)."""
    employers, providers = _profile(region)
    gender = _pick(rng, {"kvinna": 60, "man": 34, "annat": 3, "vill_ej_ange": 3})
    age = min(67, max(22, round(rng.gauss(42, 11))))
    education = _pick(rng, {"grundskola": 1, "gymnasium": 4, "eftergymnasial": 2, "hogskola": 3})
    trained = rng.random() < 0.92
    provider = _pick(rng, providers) if trained else None
    pct = rng.choice((20.0, 25.0, 37.5, 50.0, 50.0, 50.0, 60.0, 75.0, 75.0, 80.0, 100.0, 100.0))
    scale = (year - 2012) / 8  # younger programmes: fewer months worked
    months = float(round(_months_quantile(rng.random()) * scale))
    salary = float(round(rng.uniform(24000, 32000) - 600 * (2020 - year), -2))
    supervision = rng.random() < (0.9 if trained else 0.5)
    frequency = (
        _pick(rng, {"varje_vecka": 2, "varannan_vecka": 4, "varje_manad": 4, "mer_sallan": 1})
        if supervision
        else None
    )
    task_weights = {
        "stodsamtal": 9,
        "grupper": 5,
        "aktiviteter": 6,
        "personalgrupper": 2,
        "foredrag": 2,
        "motesstod": 4,
    }
    chosen = set()
    for _ in range(rng.randint(1, 4)):
        chosen.add(_pick(rng, task_weights))
    tasks = ";".join(t for t in schema.CATEGORIES["tasks"] if t in chosen)
    return {
        "gender": _maybe(rng, 0.03, gender),
        "age": _maybe(rng, 0.05, age),
        "education": _maybe(rng, 0.07, education),
        "trained": _maybe(rng, 0.03, trained),
        "training_provider": _maybe(rng, 0.05, provider),
        "employment_pct": _maybe(rng, 0.05, pct),
        "months_worked": _maybe(rng, 0.15, months),
        "salary_monthly_fte": _maybe(rng, 0.1, salary),
        "supervision": _maybe(rng, 0.04, supervision),
        "supervision_frequency": _maybe(rng, 0.05, frequency),
        "tasks": _maybe(rng, 0.05, tasks) or None,
        "employer": _maybe(rng, 0.03, _pick(rng, employers)),
    }


def _ages_2020(n: int) -> list[int | None]:
    """Ages for the 2020 table respondents: min 24, max 69, mean 43.27, two missing."""
    rng = _rng("ages", 2020)
    known = n - 2
    values = [24, 69] + [min(66, max(26, round(rng.gauss(43, 10)))) for _ in range(known - 2)]
    target = round(43.27 * known)
    # Nudge inner values a year at a time until the mean hits the seed's figure.
    while (total := sum(values)) != target:
        i = rng.randrange(2, known)
        step = 1 if total < target else -1
        if 26 <= values[i] + step <= 66:
            values[i] += step
    ages: list[int | None] = [*values, None, None]
    rng.shuffle(ages)
    return ages


def _months_2020(n: int) -> list[float | None]:
    """Months worked for the 2020 table respondents: ~15 % missing, 0..120, median 22."""
    rng = _rng("months", 2020)
    missing = round(n * 0.16)
    known = n - missing
    # Stratified draws keep the sample's percentiles close to the seed's.
    values = [float(round(_months_quantile((i + rng.random()) / known))) for i in range(known)]
    values[0], values[known // 2], values[-1] = 0.0, 22.0, 120.0
    months: list[float | None] = [*values, *([None] * missing)]
    rng.shuffle(months)
    return months


def _survey_rows(year: int, regions: Sequence[str]) -> list[list[object]]:
    """Return the survey rows of one year, sorted by respondent id.

    The six real regions are always drawn (and, for 2020, fitted to the seed's figures)
    before any are left out, so a region's rows and ids never depend on --regions.
    """
    drawn = list(dict.fromkeys([*schema.REGIONS, *regions]))
    rows: list[dict[str, object]] = []
    for region in drawn:
        responses, _ = _counts(region, year)
        rng = _rng("survey", region, year)
        for _ in range(responses):
            rows.append({"region": region, **_respondent(rng, region, year)})
    if year == 2020:
        _fit_2020(rows)
    out = []
    for number, row in enumerate(rows, start=1):
        row["respondent_id"] = f"SU{year}-{number:04d}"
        row["year"] = year
        if row["region"] in regions:
            out.append([row[c] for c in SURVEY_HEADER])
    return sorted(out, key=lambda r: str(r[0]))


def _fit_2020(rows: list[dict[str, object]]) -> None:
    """Overwrite age, months and gender so 2020 matches the seed's figures.

    Only the six real regions take part, so synthetic regions never change them.
    """
    table = [row for row in rows if row["region"] in RESPONSES]
    for row, age, months in zip(
        table, _ages_2020(len(table)), _months_2020(len(table)), strict=True
    ):
        row["age"], row["months_worked"] = age, months
    for row, gender in zip(table, _genders_2020(table), strict=True):
        row["gender"] = gender


def _genders_2020(table: list[dict[str, object]]) -> list[str | None]:
    """Genders for the 2020 table respondents: more women; Stockholm 3 men and 4 women."""
    rng = _rng("genders", 2020)
    others = len(table) - 7
    pool: list[str | None] = ["man", "annat", "vill_ej_ange", None, None]
    pool += ["man"] * round(others * 0.3)
    pool += ["kvinna"] * (others - len(pool))
    rng.shuffle(pool)
    # Stockholm's rows come first (ids follow the region order); as in the city's staff.
    return ["kvinna", "man", "kvinna", "man", "kvinna", "man", "kvinna", *pool]


# --- interviews -------------------------------------------------------------------------------
def _plan(region: str, year: int) -> list[tuple[str, str, int]]:
    """Return the (group, form, participants) of each interview in one region-year."""
    if region == "Stockholm":
        return STOCKHOLM_ROUNDS[year]
    rng = _rng("plan", region, year)
    _, population = _counts(region, year)
    plan = [("enhetschef", "individuell", 1)] * rng.randint(1, 2)
    if rng.random() < 0.3:
        plan += [("medarbetare", "grupp", rng.randint(2, 5))]
    else:
        plan += [("medarbetare", "individuell", 1)] * rng.randint(1, 3)
    if population >= 2 and rng.random() < 0.6:
        plan += [("peer_supporter", "grupp", rng.randint(2, min(6, population)))]
    else:
        plan += [("peer_supporter", "individuell", 1)] * min(population, rng.randint(1, 2))
    plan += [("brukare", "individuell", 1)] * rng.randint(1, 4)
    if rng.random() < 0.35:
        plan += [("brukare", "grupp", rng.randint(2, 6))]
    return plan


def _mode(rng: random.Random, group: str, year: int) -> str:
    """Draw how an interview was held (mostly in person before 2020, remote in 2020)."""
    if year == 2020:
        weights = {"telefon": 5, "video": 4, "fysiskt": 1}
        if group == "enhetschef":
            weights = {"telefon": 8, "video": 1, "fysiskt": 1}
    else:
        weights = {"fysiskt": 7, "telefon": 3}
    return _pick(rng, weights)


def _register(year: int, regions: Sequence[str]) -> list[list[object]]:
    """Return the interview register of one year, sorted by interview id."""
    rows = []
    for region in regions:
        rng = _rng("register", region, year)
        for number, (group, form, participants) in enumerate(_plan(region, year), start=1):
            interview_id = f"INT-{year}-{_region_code(region)}-{number:02d}"
            mode = _mode(rng, group, year)
            rows.append([interview_id, year, region, group, form, participants, mode])
    return sorted(rows, key=lambda r: str(r[0]))


# --- segments ---------------------------------------------------------------------------------
def _theme_weights(group: str, region: str, year: int) -> dict[str, float]:
    """Return the theme weights of a group, bent by the region's trend over the rounds."""
    fade, grow = (STOCKHOLM_TREND if region == "Stockholm" else OTHER_TREND)[year]
    weights = {}
    for theme, weight in THEME_WEIGHTS[group].items():
        if theme.startswith(FADING):
            weight *= fade
        elif theme.startswith(GROWING):
            weight *= grow
        weights[theme] = weight
    return weights


def _sentences(theme: str, group: str) -> list[tuple[str, str]]:
    """Return the (factor, sentence) pool entries for a theme that a group could say."""
    letter = GROUP_LETTERS[group]
    return [(f, s) for t, f, g, s in POOL if t == theme and letter in g]


def _excerpt(rng: random.Random, group: str, theme: str, said: set[str]) -> tuple[str, str]:
    """Compose one excerpt of 1-3 sentences about a theme; return (factor, text).

    Args:
        rng: The region-year's generator.
        group: The respondent group.
        theme: The theme id.
        said: Stock phrases (openers, closers) already used in this region-year; the
            ones used here are added.
    """
    factor, core = rng.choice(_sentences(theme, group))
    parts = [core]
    if rng.random() < 0.3:
        openers = [o for o in OPENERS if o not in said]
        if openers:
            parts.insert(0, rng.choice(openers))
            said.add(parts[0])
    extra = rng.random()
    same = [s for f, s in _sentences(theme, group) if f == factor and s != core]
    if extra < 0.2 and same:
        parts.append(rng.choice(same))
    elif extra < 0.45:
        closers = [c for c in CLOSERS[GROUP_LETTERS[group]] if c not in said]
        if closers:
            parts.append(rng.choice(closers))
            said.add(parts[-1])
    return factor, " ".join(parts)


def _segments(year: int, regions: Sequence[str]) -> list[list[object]]:
    """Return the coded segments of one year, sorted by interview id (stable within)."""
    rows: list[list[object]] = []
    used: set[str] = set()  # regions come in a fixed order, so earlier ones never change
    for region in regions:
        rng = _rng("segments", region, year)
        region_rows: list[list[object]] = []
        groups: list[str] = []
        said: set[str] = set()
        for interview_id, _, _, group, form, participants, _ in _register(year, [region]):
            count = rng.randint(2, 3) if form == "individuell" else rng.randint(3, 5)
            if participants >= 5:
                count += 1
            weights = _theme_weights(str(group), region, year)
            for _ in range(count):
                # A few redraws keep a year from repeating a quote verbatim.
                for _attempt in range(6):
                    theme = _pick(rng, weights)
                    factor, text = _excerpt(rng, str(group), theme, said)
                    if text not in used:
                        break
                used.add(text)
                region_rows.append([interview_id, theme, factor, text])
                groups.append(GROUP_LETTERS[str(group)])
        _plant_personal_data(region, year, region_rows, groups)
        rows.extend(region_rows)
    return sorted(rows, key=lambda r: str(r[0]))


def _plant_personal_data(
    region: str, year: int, rows: list[list[object]], groups: list[str]
) -> None:
    """Append this region-year's personal-data sentences to randomly chosen excerpts.

    Args:
        region: The region of the rows.
        year: The year of the rows.
        rows: Segment rows of the region-year, changed in place (they are ours to build).
        groups: The group letter of each row's interview.
    """
    rng = _rng("personal", region, year)
    for planted_region, planted_year, letters, template in PERSONAL_DATA:
        if (planted_region, planted_year) != (region, year):
            continue
        name = rng.choice(NAMES)
        sentence = template.format(name=name, lower=_ascii(name.lower()))
        candidates = [i for i, letter in enumerate(groups) if letter in letters]
        if candidates:
            row = rows[rng.choice(candidates)]
            row[3] = f"{row[3]} {sentence}"


def _ascii(text: str) -> str:
    """Fold å, ä, ö to a, a, o (for e-mail addresses)."""
    return text.translate(str.maketrans("åäöé", "aaoe"))


# --- codebook and recommendations ---------------------------------------------------------------
def _codebook_yaml() -> str:
    """Render the codebook in the documented YAML layout."""
    lines = ["# Codebook of the SYNTHETIC demo data: hierarchical themes.", "themes:"]

    def emit(theme: Theme, indent: str) -> None:
        theme_id, label_sv, label_en, desc_sv, desc_en, children = theme
        lines.append(f"{indent}- id: {theme_id}")
        lines.append(f"{indent}  label: {{sv: {_q(label_sv)}, en: {_q(label_en)}}}")
        lines.append(f"{indent}  description:")
        lines.append(f"{indent}    sv: {_q(desc_sv)}")
        lines.append(f"{indent}    en: {_q(desc_en)}")
        if children:
            lines.append(f"{indent}  children:")
            for child in children:
                emit(child, indent + "    ")

    for theme in CODEBOOK:
        emit(theme, "  ")
    return "\n".join(lines) + "\n"


def _recommendations_yaml(regions: Sequence[str]) -> str:
    """Render the recommendations (of the regions present) in the documented YAML layout."""
    lines = [
        "# Recommendations of the SYNTHETIC demo data and their follow-up.",
        "recommendations:",
    ]
    for rec_id, region, made, text_sv, text_en, status in RECOMMENDATIONS:
        if region not in regions:
            continue
        follow_up = ", ".join(f"{year}: {code}" for year, code in sorted(status.items()))
        lines += [
            f"  - id: {rec_id}",
            f"    region: {_q(region)}",
            f"    made: {made}",
            "    text:",
            f"      sv: {_q(text_sv)}",
            f"      en: {_q(text_en)}",
            f"    status: {{{follow_up}}}",
        ]
    if lines[-1] == "recommendations:":
        lines[-1] = "recommendations: []"
    return "\n".join(lines) + "\n"


def _check_yaml(text: str, check: Callable[[object], bool], what: str) -> str:
    """Parse generated YAML back and fail loudly if it does not have the expected shape."""
    if not check(yaml.safe_load(text)):
        raise AssertionError(f"generated {what} does not parse as expected")
    return text


def _theme_ids(themes: Sequence[Theme]) -> list[str]:
    """Return every theme id in the codebook, parents before children."""
    ids = []
    for theme in themes:
        ids.append(theme[0])
        ids.extend(_theme_ids(theme[5]))
    return ids


# --- build and write ----------------------------------------------------------------------------
def build(n_regions: int = DEFAULT_REGIONS) -> dict[str, str]:
    """Generate the whole demo data set in memory.

    Args:
        n_regions: Number of regions (1..MAX_REGIONS): the six real ones first, then synthetic ones.

    Returns:
        File contents keyed by path relative to the output directory ("/"-separated).

    Raises:
        ValueError: n_regions outside 1..MAX_REGIONS.
    """
    if not 1 <= n_regions <= MAX_REGIONS:
        raise ValueError(f"--regions must be between 1 and {MAX_REGIONS}, got {n_regions}")
    regions = region_names(n_regions)
    files: dict[str, str] = {}
    for year in YEARS:
        files[f"{year}/survey.csv"] = _csv(SURVEY_HEADER, _survey_rows(year, regions))
        files[f"{year}/population.csv"] = _csv(
            schema.POPULATION_COLUMNS, [[year, r, _counts(r, year)[1]] for r in regions]
        )
        files[f"{year}/interviews.csv"] = _csv(schema.REGISTER_COLUMNS, _register(year, regions))
        files[f"{year}/segments.csv"] = _csv(schema.SEGMENT_COLUMNS, _segments(year, regions))
    files["names.txt"] = "".join(f"{name}\n" for name in sorted(NAMES))
    ids = set(_theme_ids(CODEBOOK))
    files["codebook.yaml"] = _check_yaml(
        _codebook_yaml(),
        lambda doc: isinstance(doc, dict) and len(doc["themes"]) == len(CODEBOOK),
        "codebook",
    )
    files["recommendations.yaml"] = _check_yaml(
        _recommendations_yaml(regions),
        lambda doc: isinstance(doc, dict) and isinstance(doc["recommendations"], list),
        "recommendations",
    )
    if n_regions != DEFAULT_REGIONS:
        files["regions.txt"] = "".join(f"{region}\n" for region in regions)
    if any(theme not in ids for theme, *_ in POOL):
        raise AssertionError("the excerpt pool uses a theme the codebook lacks")
    return dict(sorted(files.items()))


def write(files: dict[str, str], out: Path) -> None:
    """Write generated files under `out` as UTF-8 (no BOM) with "\\n" line endings.

    A regions.txt left over from an earlier run with another --regions is removed,
    since the default data set has none.

    Args:
        files: Contents keyed by relative path, as returned by build().
        out: The output directory (created when missing).
    """
    for relative, text in files.items():
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    stale = out / "regions.txt"
    if "regions.txt" not in files and stale.exists():
        stale.unlink()


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line, generate the data set and write it.

    Args:
        argv: Arguments without the program name (default: sys.argv[1:]).

    Returns:
        The exit code (0).
    """
    parser = argparse.ArgumentParser(description="Generate the SYNTHETIC peer-eval demo data.")
    parser.add_argument(
        "--out", type=Path, default=HERE, help="output directory (default: %(default)s)"
    )
    parser.add_argument(
        "--regions",
        type=int,
        default=DEFAULT_REGIONS,
        help="number of regions: the six real ones, then 'Region 07', ... (default: 6)",
    )
    args = parser.parse_args(argv)
    if not 1 <= args.regions <= MAX_REGIONS:
        parser.error(f"--regions must be between 1 and {MAX_REGIONS}, got {args.regions}")
    files = build(args.regions)
    write(files, args.out)
    print(f"wrote {len(files)} files to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
