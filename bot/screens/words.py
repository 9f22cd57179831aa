"""Words for the screening and the cases, translated when shown (lazy gettext)."""

from __future__ import annotations

from aiogram.utils.i18n import lazy_gettext as __

# One question a screen, in plain words: what happens to the person, not the legal name of it.
QUESTIONS = {
    "documents": __("Has your employer or someone else taken your passport or other documents and does not give them back?"),
    "wages": __("Are you not paid, paid much less than promised, or is your pay held back?"),
    "movement": __("Are you locked in, or not allowed to leave your workplace or housing when you want?"),
    "violence": __("Has anyone hit you, hurt you or touched you against your will at work or where you live?"),
    "threats": __("Are you threatened: with the police, deportation, a fine, or harm to you or your family?"),
    "debt": __("Do you owe money to the employer or recruiter, and are you told you cannot leave until you pay it back?"),
    "deception": __("Is the job, the pay or the conditions different from what you were promised?"),
    "overtime": __("Do you work very long hours or without days off, and cannot refuse?"),
    "conditions": __("Is your housing or work dangerous, dirty or humiliating?"),
    "isolation": __("Are you cut off: no phone, no contact with family, or you do not know the address where you are?"),
    "vulnerability": __("Does the employer use your situation (no papers, no language, debts) to make you stay?"),
    "danger_now": __("Are you in danger right now?"),
}
# The ILO indicators, as a consultant reads them in an alert and a person in the result.
INDICATORS = {
    "vulnerability": __("abuse of vulnerability"),
    "deception": __("deception"),
    "movement": __("restriction of movement"),
    "isolation": __("isolation"),
    "violence": __("physical or sexual violence"),
    "threats": __("intimidation and threats"),
    "documents": __("documents taken away"),
    "wages": __("wages withheld"),
    "debt": __("debt bondage"),
    "conditions": __("abusive working and living conditions"),
    "overtime": __("excessive overtime"),
}
TRIAGE_SIGNS = {  # bot.services.desk.triaged: what raised a case's level
    "alarming_words": __("words of danger in what the person wrote"),
    "emergency_words": __("words of danger to life or liberty now in what the person wrote"),
    "money_taken": __("the agency took the person's money"),
    "documents_kept": __("the agency keeps the person's passport or documents"),
}
LEVELS = {
    "info": __("information"),
    "concern": __("concern"),
    "high": __("high risk"),
    "emergency": __("EMERGENCY"),
    "unknown": __("not assessed"),
}
KINDS = {
    "screening": __("self-check result"),
    "request": __("asked for a consultant"),
    "danger": __("danger words in a message"),
    "agency": __("report about an agency"),
    "checkin": __("missed check-ins"),
}
OUTCOMES = {
    "info": __("Information given"),
    "shelter": __("Referred to a shelter"),
    "police": __("Referred to the police"),
    "iom": __("Referred to IOM"),
    "lawyer": __("Referred to a lawyer"),
    "return": __("Return home organised"),
    "unreachable": __("Not reachable"),
    "false_alarm": __("False alarm"),
    "ended_by_person": __("Ended by the person"),
    "deleted_by_person": __("The person deleted their data"),
}
