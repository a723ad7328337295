"""Standard exchange formats: CoNLL-U, IOB2, brat standoff and UIMA CAS XMI, out and back in.

The exporters are pure functions from :class:`~sokhan.exchange.model.ExchangeDocument`
records (made from the build's in-memory corpus by :mod:`sokhan.exchange.adapter`)
to file contents; the importers turn a corrected brat or XMI file back into a
Sokhan annotation file, checked like a gold file.
"""
