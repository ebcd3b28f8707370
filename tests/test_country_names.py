"""Country names for numbers and region codes: English, and without phonenumbers' slow geocoder."""
import subprocess
import sys

from smsnb.knowledge import msisdn


def test_a_number_names_its_country_in_english():
    assert msisdn.parse("+46812345678").country == "Sweden"
    assert msisdn.country_name("+14155550123") == "United States"
    assert msisdn.region_name("GB") == "United Kingdom"


def test_a_non_geographic_number_has_no_country_and_an_unknown_code_stays_a_code():
    assert msisdn.country_name("+80012345678") is None  # region "001": international freephone
    assert msisdn.region_name("QQ") == "QQ"


def test_naming_a_country_does_not_load_the_geocoder():
    code = ("import sys; from smsnb.knowledge import msisdn; msisdn.parse('+46812345678').country; "
            "print('phonenumbers.geocoder' in sys.modules, 'phonenumbers.geodata' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.split() == ["False", "False"]
