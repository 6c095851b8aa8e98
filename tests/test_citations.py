"""Names as BibTeX and CSL split them, particles included."""

from __future__ import annotations

import pytest
from pybtex.database import Person

from litsync.output.bibtex import bibtex_name
from litsync.output.citations import Name, split_name
from litsync.output.csl import csl_name


@pytest.mark.parametrize(
    ("written", "name"),
    [
        ("Luc Van Gool", Name("Gool", "Luc", "Van")),
        ("Rodrigo De Castro", Name("Castro", "Rodrigo", "De")),
        ("Giuseppe Di Battista", Name("Battista", "Giuseppe", "Di")),
        ("Fabrizio Di Nucci", Name("Nucci", "Fabrizio", "Di")),
        ("François Le Gall", Name("Gall", "François", "Le")),
        ("Giordano Da Lozzo", Name("Lozzo", "Giordano", "Da")),
        ("Ludwig van der Berg", Name("Berg", "Ludwig", "van der")),
        # A particle's word as a first or only given name, or as the family name, stays so.
        ("Le Song", Name("Song", "Le")),
        ("Tuan Anh Le", Name("Le", "Tuan Anh")),
        ("Quoc V. Le", Name("Le", "Quoc V.")),
    ],
)
def test_particles_are_split_from_the_family_name(written: str, name: Name) -> None:
    assert split_name(written) == name


def test_a_capitalised_particle_leads_the_family_name_in_both_exports() -> None:
    name = split_name("Luc Van Gool")
    assert bibtex_name(name) == "Van Gool, Luc"
    person = Person(bibtex_name(name))
    assert (person.last_names, person.first_names) == (["Van", "Gool"], ["Luc"])
    assert csl_name(name) == {"family": "Gool", "given": "Luc", "non-dropping-particle": "Van"}
