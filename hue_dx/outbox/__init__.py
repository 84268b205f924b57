"""What the Sở sends: one e-mail per unit carrying its workbook or its signed letter, written as
drafts (.eml) or sent through the province's mail server, each recorded in the intake's ledger
so that a re-run never sends it twice and a reply is matched to the message it answers.

- ``compose``: the sender, a letter to one unit, and the RFC 5322 message it becomes;
- ``letters``: the letters of each kind (the campaign's workbooks, the correction requests, the
  quarterly workbooks, the reminders) from the folder the command that made them wrote;
- ``smtp``: the mail server, the password (environment or prompt) and one delivery;
- ``sending``: the run (drafts, sending, the ledger, idempotence);
- ``commands``: ``hue-dx mail …`` and ``hue-dx tasks mail …``.
"""
