#!/usr/bin/env python3
"""Generate an entirely fictional Recruitment Agency Registry in the CSV import format.

Every name, number, person and event is invented.  Output (UTF-8, header row):
agencies.csv (one row per licence), representatives.csv, sanctions.csv,
complaints.csv and reference_date.txt.  All dates are drawn relative to the
reference date, so "status as of the reference date" is controlled here and
the app's ``seed`` command can shift everything to today.

Realism knobs: ~70% licensed, 8% suspended, 6% revoked, 10% expired, 6% not yet
licensed; ~40% with renewal history; names in English and Khmer (some with
zero-width spaces, ~15% also Burmese); a few deceptive lookalike agencies;
complaints concentrated on a few agencies.

Usage:
    python bench/synthetic.py seed [--country MM]      # registry/seed/<country>, fixed seed
    python bench/synthetic.py size 100000 --out /tmp/big [--seed 7] [--country MM]

Cambodia's vocabulary is here; Myanmar's in bench/myanmar.py. Standard library only for
Cambodia (Myanmar's writes some rows in Zawgyi with the project's converter).  Rows are streamed to the files agency by agency, so
memory stays flat at any size.
"""
from __future__ import annotations

import argparse
import csv
import os
import random
import time
from datetime import date

HEADERS = {
    "agencies": "licence_number,name_en,name_km,name_my,aliases,province,address_en,address_km,"
                "address_my,phones,channels,email,website,destinations,licence_issued_on,"
                "licence_expires_on,previous_licence_number",
    "representatives": "licence_number,name,id_number,phone,province,authorised_from,authorised_to",
    "sanctions": "licence_number,kind,decided_on,effective_from,effective_to,amount,currency,paid,"
                 "reason_en,reason_km,reason_my,decision_ref,state",
    "complaints": "licence_number,received_on,category,destination,workers_affected,status,"
                  "compensation_amount,currency,closed_on,complainant_name,complainant_phone,"
                  "details,case_ref",
}


def _table(text):
    return [tuple(line.split("|")) for line in text.strip().splitlines()]


# code | English | Khmer | landline area code | weight (Phnom Penh dominates, as in reality)
PROVINCES = _table("""
KH-1|Banteay Meanchey|បន្ទាយមានជ័យ|54|4
KH-2|Battambang|បាត់ដំបង|53|5
KH-3|Kampong Cham|កំពង់ចាម|42|4
KH-4|Kampong Chhnang|កំពង់ឆ្នាំង|26|1
KH-5|Kampong Speu|កំពង់ស្ពឺ|25|2
KH-6|Kampong Thom|កំពង់ធំ|62|2
KH-7|Kampot|កំពត|33|1
KH-8|Kandal|កណ្ដាល|24|4
KH-9|Koh Kong|កោះកុង|35|0.5
KH-10|Kratie|ក្រចេះ|72|0.5
KH-11|Mondulkiri|មណ្ឌលគិរី|73|0.3
KH-12|Phnom Penh|ភ្នំពេញ|23|58
KH-13|Preah Vihear|ព្រះវិហារ|64|0.4
KH-14|Prey Veng|ព្រៃវែង|43|3
KH-15|Pursat|ពោធិ៍សាត់|52|1
KH-16|Ratanakiri|រតនគិរី|75|0.3
KH-17|Siem Reap|សៀមរាប|63|5
KH-18|Preah Sihanouk|ព្រះសីហនុ|34|2
KH-19|Stung Treng|ស្ទឹងត្រែង|74|0.3
KH-20|Svay Rieng|ស្វាយរៀង|44|2
KH-21|Takeo|តាកែវ|32|3
KH-22|Oddar Meanchey|ឧត្តរមានជ័យ|65|1
KH-23|Kep|កែប|36|0.3
KH-24|Pailin|ប៉ៃលិន|55|0.4
KH-25|Tbong Khmum|ត្បូងឃ្មុំ|42|2
""")
PROV_W = [float(p[4]) for p in PROVINCES]
PP = 11  # index of KH-12

# Phnom Penh addresses: khan EN | khan KM | sangkat EN | sangkat KM
PP_AREAS = _table("""
Chamkar Mon|ចំការមន|Tonle Basak|ទន្លេបាសាក់
Boeng Keng Kang|បឹងកេងកង|Olympic|អូឡាំពិក
Doun Penh|ដូនពេញ|Srah Chak|ស្រះចក
Doun Penh|ដូនពេញ|Wat Phnom|វត្តភ្នំ
7 Makara|៧មករា|Veal Vong|វាលវង់
Mean Chey|មានជ័យ|Stueng Mean Chey|ស្ទឹងមានជ័យ
Sen Sok|សែនសុខ|Tuek Thla|ទឹកថ្លា
Russey Keo|ឫស្សីកែវ|Tuol Sangkae|ទួលសង្កែ
Por Sen Chey|ពោធិ៍សែនជ័យ|Chaom Chau|ចោមចៅ
Chbar Ampov|ច្បារអំពៅ|Nirouth|និរោធ
Dangkao|ដង្កោ|Dangkao|ដង្កោ
""")

# code | English | Khmer (with the word for "country" where Khmer uses it) | weight
COUNTRIES = _table("""
TH|Thailand|ប្រទេសថៃ|30
MY|Malaysia|ប្រទេសម៉ាឡេស៊ី|20
KR|South Korea|ប្រទេសកូរ៉េខាងត្បូង|18
JP|Japan|ប្រទេសជប៉ុន|14
SG|Singapore|ប្រទេសសិង្ហបុរី|5
HK|Hong Kong|ហុងកុង|3
TW|Taiwan|តៃវ៉ាន់|3
SA|Saudi Arabia|ប្រទេសអារ៉ាប៊ីសាអូឌីត|3
AE|the United Arab Emirates|ប្រទេសអេមីរ៉ាតអារ៉ាប់រួម|2
QA|Qatar|ប្រទេសកាតា|2
""")
COUNTRY_W = [int(c[3]) for c in COUNTRIES]

# English | transliteration variant | Khmer ('+' = word boundary inside a compound) | Burmese
BRANDS = _table("""
Angkor|Angkhor|អង្គរ|
Mekong|Mekhong|មេគង្គ|မဲခေါင်
Golden Lotus|Golden Lotos|ឈូក+មាស|ရွှေကြာ
Santepheap|Santipheap|សន្តិ+ភាព|ငြိမ်းချမ်း
Sovann|Sovan|សុវណ្ណ|ရွှေ
Reaksmey|Raksmei|រស្មី|ရောင်ခြည်
Chey|Chhay|ជ័យ|အောင်မြင်
Sokha|Sokhar|សុខា|ပျော်ရွှင်
Bayon|Bayorn|បាយ័ន|
Tonle Sap|Tonlesap|ទន្លេ+សាប|
Apsara|Absara|អប្សរា|
Kampuchea|Kampuchia|កម្ពុជា|ကမ္ဘောဒီးယား
Mitapheap|Mittapheap|មិត្ត+ភាព|ချစ်ကြည်ရေး
Samaki|Sameakki|សាមគ្គី|ညီညွတ်ရေး
Pich|Pech|ពេជ្រ|စိန်
Vathanak|Vatanak|វឌ្ឍនៈ|
Romdoul|Rumduol|រំដួល|
Bopha|Bopphea|បុប្ផា|
Monorom|Monoram|មនោរម្យ|
Rungroeung|Rung Roeung|រុង+រឿង|ကြီးပွားရေး
Neak Meas|Neakmeas|នាគ+មាស|ရွှေနဂါး
Mongkol|Mongkul|មង្គល|မင်္ဂလာ
Chamroeun|Chamreun|ចម្រើន|တိုးတက်ရေး
Sambath|Sambat|សម្បត្តិ|
Kulen|Koulen|គូលែន|
Lucky Star|Lucky Stars|ផ្កាយ+សំណាង|
Asia Pacific|Asia-Pacific|អាស៊ី+ប៉ាស៊ីហ្វិក|အာရှပစိဖိတ်
Moha Leap|Mohaleap|មហា+លាភ|
Phnom Meas|Phnum Meas|ភ្នំ+មាស|ရွှေတောင်
""")
MY_BRANDS = [b for b in BRANDS if b[3]]

# English | Khmer | Burmese | Khmer word order (b: brand first, as in transliterated names)
ACTIVITIES = _table("""
Manpower|ម៉ែនផៅវ័រ|လူ့စွမ်းအား|b
Human Resources|ធនធាន+មនុស្ស|လူ့စွမ်းအားအရင်းအမြစ်|a
Labour Supply|ផ្គត់ផ្គង់+កម្លាំង+ពលកម្ម|အလုပ်သမား ဝန်ဆောင်မှု|a
Recruitment|ជ្រើសរើស+បុគ្គលិក|ဝန်ထမ်းခေါ်ယူရေး|a
Overseas Employment|ការងារ+ក្រៅប្រទេស|ပြည်ပအလုပ်အကိုင်|a
Manpower Services|សេវា+ម៉ែនផៅវ័រ|လူ့စွမ်းအား ဝန်ဆောင်မှု|a
Employment Agency|ភ្នាក់ងារ+ការងារ|အလုပ်အကိုင် အေဂျင်စီ|a
Workforce|កម្លាំង+ពលកម្ម|လုပ်သားအင်အား|b
HR Services|សេវា+ធនធាន+មនុស្ស|လူ့စွမ်းအားအရင်းအမြစ် ဝန်ဆောင်မှု|a
""")
LEGAL_EN = [(" Co., Ltd.", 55), (" Co., Ltd", 15), (" Co. Ltd.", 10), (" (Cambodia) Co., Ltd.", 10), (" Ltd.", 10)]
LEGAL_KM = ["ឯ.ក", "ខូអិលធីឌី"]

# Sanction reasons: English | Khmer | Burmese
REASONS = _table("""
Charging workers recruitment fees above the legal limit|យកថ្លៃសេវាជ្រើសរើសពីពលករលើសពីការកំណត់ដោយច្បាប់|အလုပ်သမားများထံမှ ဥပဒေသတ်မှတ်ချက်ထက် ပိုမိုသော ဝန်ဆောင်ခ ကောက်ခံခြင်း
Sub-licensing recruitment to unlicensed brokers|ផ្ទេរសិទ្ធិជ្រើសរើសពលករឱ្យឈ្មួញកណ្ដាលដែលគ្មានអាជ្ញាប័ណ្ណ|လိုင်စင်မရှိသော ပွဲစားများကို အလုပ်သမားစုဆောင်းခွင့် လွှဲပေးခြင်း
Contract substitution without the worker's consent|ប្ដូរកិច្ចសន្យាការងារដោយគ្មានការយល់ព្រមពីពលករ|အလုပ်သမား၏ သဘောတူညီချက်မပါဘဲ အလုပ်စာချုပ်ကို ပြောင်းလဲခြင်း
Retaining workers' passports|រក្សាទុកលិខិតឆ្លងដែនរបស់ពលករ|အလုပ်သမားများ၏ နိုင်ငံကူးလက်မှတ်ကို သိမ်းဆည်းထားခြင်း
Failure to report deployed workers to the Ministry|មិនបានរាយការណ៍ជូនក្រសួងអំពីពលករដែលបានបញ្ជូនទៅក្រៅប្រទេស|ပြည်ပသို့ စေလွှတ်သော အလုပ်သမားများအကြောင်း ဝန်ကြီးဌာနသို့ အစီရင်ခံခြင်း မပြုခြင်း
False or misleading job advertising|ផ្សព្វផ្សាយការងារមិនពិត ឬបំភាន់|မမှန်ကန်သော သို့မဟုတ် လှည့်စားသော အလုပ်ကြော်ငြာ ထုတ်ခြင်း
Recruiting children under 18|ជ្រើសរើសអនីតិជនអាយុក្រោម ១៨ ឆ្នាំ|အသက် ၁၈ နှစ်အောက် ကလေးများကို အလုပ်ခေါ်ယူခြင်း
Operating a branch office without permission|បើកសាខាដោយគ្មានការអនុញ្ញាត|ခွင့်ပြုချက်မရှိဘဲ ရုံးခွဲ ဖွင့်လှစ်ခြင်း
Failure to provide pre-departure training|មិនបានផ្ដល់ការបណ្ដុះបណ្ដាលមុនចេញដំណើរដល់ពលករ|အလုပ်သမားများကို ခရီးမထွက်မီ သင်တန်း မပေးခြင်း
Failure to help workers in distress return home|មិនបានជួយពលករដែលមានបញ្ហាឱ្យត្រឡប់មកស្រុកវិញ|ဒုက္ခရောက်နေသော အလုပ်သမားများကို နေရပ်သို့ ပြန်ပို့ရန် မကူညီခြင်း
Failure to keep the required guarantee deposit|មិនបានដាក់ប្រាក់តម្កល់ធានាតាមការកំណត់|သတ်မှတ်ထားသော အာမခံငွေ မထားရှိခြင်း
Confining workers in the training centre|ឃុំខ្លួនពលករនៅក្នុងមជ្ឈមណ្ឌលបណ្ដុះបណ្ដាល|အလုပ်သမားများကို သင်တန်းကျောင်းအတွင်း ချုပ်နှောင်ထားခြင်း
""")

# Khmer names: romanised | Khmer script.  Family name comes first, as in Cambodia.
FAMILY = [tuple(x.split("=")) for x in """
Sok=សុខ Chan=ចាន់ Heng=ហេង Ly=លី Chhim=ឈឹម Keo=កែវ Mao=ម៉ៅ Sao=សៅ Pov=ពៅ Khiev=ខៀវ
Sun=ស៊ុន Um=អ៊ុំ Nhek=ញឹក Taing=តាំង Yim=យឹម Bun=ប៊ុន Tep=ទេព Nuon=នួន Meng=ម៉េង Suon=សួន
Long=ឡុង
""".split()]
GIVEN = [tuple(x.split("=")) for x in """
Sophea=សុភា Dara=ដារ៉ា Vanna=វណ្ណា Sokha=សុខា Chantha=ចន្ថា Sreymom=ស្រីមុំ Ratana=រតនា
Bopha=បុប្ផា Vichet=វិចិត្រ Samnang=សំណាង Piseth=ពិសិដ្ឋ Chanthy=ចាន់ធី Sopheap=សុភាព
Kunthea=គន្ធា Nary=ណារី Sophal=សុផល Vuthy=វុទ្ធី Rithy=រិទ្ធី Sreypov=ស្រីពៅ Thida=ធីតា
Makara=មករា Pisey=ពិសី Sothea=សុធា
""".split()]

# Complaint category | weight | English detail | Khmer detail  ({c}: destination, {n}: number)
COMPLAINT_TEXT = _table("""
excessive_fees|30|Workers were asked to pay {n}00 USD each before leaving for {c}.|ពលករម្នាក់ៗត្រូវបានគេទាមទារឱ្យបង់ប្រាក់ {n}00 ដុល្លារ មុនពេលចេញដំណើរទៅ{c}។
contract_substitution|14|The contract signed in {c} differs from the one signed in Cambodia and the wage is lower.|កិច្ចសន្យាដែលបានចុះហត្ថលេខានៅ{c} ខុសពីកិច្ចសន្យានៅកម្ពុជា ហើយប្រាក់ឈ្នួលទាបជាង។
deception|16|The agency promised factory work in {c} but the workers were sent to a farm.|ភ្នាក់ងារបានសន្យាការងាររោងចក្រនៅ{c} ប៉ុន្តែពលករត្រូវបានបញ្ជូនទៅធ្វើការនៅកសិដ្ឋាន។
document_retention|12|The agency kept the workers' passports and refuses to return them.|ភ្នាក់ងាររក្សាទុកលិខិតឆ្លងដែនរបស់ពលករ ហើយមិនព្រមប្រគល់ឱ្យវិញទេ។
abuse|7|Workers say they were locked in the training centre and threatened by staff.|ពលករនិយាយថាពួកគេត្រូវបានចាក់សោទុកក្នុងមជ្ឈមណ្ឌលបណ្ដុះបណ្ដាល និងត្រូវបុគ្គលិកគំរាមកំហែង។
wage_theft|14|Workers in {c} have not been paid for {n} months.|ពលករនៅ{c} មិនបានទទួលប្រាក់ឈ្នួលអស់រយៈពេល {n} ខែហើយ។
other|7|The agency did not help a sick worker come home from {c}.|ភ្នាក់ងារមិនបានជួយពលករដែលឈឺឱ្យត្រឡប់មកផ្ទះវិញពី{c}ទេ។
""")
COMPLAINT_W = [int(c[1]) for c in COMPLAINT_TEXT]

MOBILE_PREFIXES = "10 11 12 14 15 16 17 61 69 70 76 77 78 85 89 92 93 95 98 99".split()
KINDS = ("warning", "fine", "suspension", "revocation")
STATES = ("pending", "in_force", "under_appeal", "overturned")
TARGETS = (("licensed", 70), ("suspended", 8), ("revoked", 6), ("expired", 10), ("not_licensed", 6))
KM_DIGITS = str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩")
MY_DIGITS = str.maketrans("0123456789", "၀၁၂၃၄၅၆၇၈၉")
ASCII_DIGITS = str.maketrans("၀၁၂၃၄၅၆၇၈၉០១២៣៤៥៦៧៨៩", "01234567890123456789")
ZWSP = "\u200b"

# Qualifiers keep names unique at any size: none, then a place, another brand, or both.
# Those with a Burmese form form a separate pool, so Burmese names neither run out
# early nor collide with the general sequence.
QUALS = ([(p[1], p[2], "") for p in PROVINCES] + [(b[0], b[2], "") for b in BRANDS if not b[3]]
         + [(b[0] + " " + p[1], b[2] + " " + p[2], "") for b in BRANDS for p in PROVINCES])
QUALS_MY = ([(b[0], b[2], b[3]) for b in MY_BRANDS]
            + [(a[0] + " " + b[0], a[2] + " " + b[2], a[3] + " " + b[3])
               for a in MY_BRANDS for b in MY_BRANDS if a != b])


def _iso(ordinal):
    return date.fromordinal(ordinal).isoformat()


def _plus_years(ordinal, years):
    d = date.fromordinal(ordinal)
    return date(d.year + years, d.month, 28 if (d.month, d.day) == (2, 29) else d.day).toordinal()


class _NumberPool:
    """Random 6-digit subscriber numbers that never repeat.  A bitmap of the whole
    number space (2 MB for all mobile prefixes) is far smaller than a set of
    strings at 100k agencies, and random draws avoid arithmetic-looking numbers."""

    def __init__(self, prefixes, rng):
        self.prefixes, self.rng, self.n, self.used = prefixes, rng, len(prefixes) * 900_000, 0
        self.bits = bytearray(self.n // 8 + 1)

    def take(self):
        if self.used > self.n // 2:
            raise RuntimeError("phone number space nearly exhausted")
        while True:
            p = self.rng.randrange(self.n)
            if not self.bits[p >> 3] & (1 << (p & 7)):
                self.bits[p >> 3] |= 1 << (p & 7)
                self.used += 1
                return self.prefixes[p // 900_000], str(100_000 + p % 900_000)


class _Generator:
    """Builds one agency at a time with its licences and related records.  Each agency
    gets a target status as of the reference date (licensed, suspended, revoked,
    expired, not licensed) and its licences and sanctions are dated to produce it;
    background sanctions are dated so that they never change that status."""

    # The country's vocabulary; bench/myanmar.py gives Myanmar's.
    provinces, province_weights, countries, country_weights = PROVINCES, PROV_W, COUNTRIES, COUNTRY_W
    mobile_prefixes, calling_code = MOBILE_PREFIXES, "855"

    def __init__(self, rng: random.Random, ref: date):
        self.rng, self.D = rng, ref.toordinal()
        self.mobiles = _NumberPool(self.mobile_prefixes, rng)
        self.landlines = {}  # area code -> pool; provinces sharing a code share the pool
        self.seq = {}  # (series, year) -> last number; steps leave gaps like real registers
        self.names = {}  # (brand, activity) -> [plain name used, next general, next Burmese, orders]
        self.rep_no = 0
        self.need = {(k, s): 2 for k in KINDS for s in STATES}  # every kind x state at least twice

    # -- small helpers -------------------------------------------------------
    def _next(self, series, year, step=3):
        n = self.seq.get((series, year), 0) + self.rng.randint(1, step)
        self.seq[(series, year)] = n
        return n

    def _phone(self, area=None):
        r = self.rng
        if area:
            pool = self.landlines.setdefault(area, _NumberPool([area], r))
            pre, s = pool.take()
            fmt = r.choice(("0{p}-{a}-{b}", "0{p}-{a}-{b}", "+855 {p} {a} {b}", "0{p} {a} {b}"))
        else:
            pre, s = self.mobiles.take()
            fmt = r.choice(("+855 {p} {a} {b}", "0{p} {a} {b}", "0{p} {a} {b}", "(0){p} {a} {b}",
                            "0{p}-{a}-{b}", "0{p}{a}{b}"))
        return fmt.format(p=pre, a=s[:3], b=s[3:])

    def _person(self):
        f, g = self.rng.choice(FAMILY), self.rng.choice(GIVEN)
        roll = self.rng.random()
        if roll < 0.55:
            return f"{f[1]} {g[1]}"
        return f"{f[0].upper()} {g[0]}" if roll < 0.75 else f"{f[0]} {g[0]}"

    def _kh_join(self, words, zw):
        sep = ZWSP if zw else " "
        return sep.join(w.replace("+", ZWSP if zw else "") for w in words if w)

    # -- agencies ------------------------------------------------------------
    def _name_parts(self, want_my):
        r = self.rng
        brand, act = r.choice(MY_BRANDS if want_my else BRANDS), r.choice(ACTIVITIES)
        st = self.names.get((brand[0], act[0]))
        if st is None:  # places first, so small registries get "Angkor Battambang Manpower"
            orders = []
            for b, n in ((len(PROVINCES), len(QUALS)), (len(MY_BRANDS), len(QUALS_MY))):
                head, tail = list(range(b)), list(range(b, n))
                r.shuffle(head), r.shuffle(tail)
                orders.append(head + tail)
            st = self.names[(brand[0], act[0])] = [False, 0, 0, *orders]
        if not st[0]:
            st[0] = True
            return brand, act, None
        while True:
            my = want_my and st[2] < len(QUALS_MY)
            slot, pool = (2, QUALS_MY) if my else (1, QUALS)
            lap, idx = divmod(st[slot], len(pool))
            st[slot] += 1
            q = pool[st[slot + 2][idx]]
            if brand[0] not in q[0]:
                if lap:  # only past ~750 agencies per brand and activity
                    q = (f"{q[0]} {lap + 1}", f"{q[1]} {lap + 1}".translate(KM_DIGITS), "")
                return brand, act, q

    def _agency(self, target, like=None):
        r = self.rng
        want_my = like is None and r.random() < 0.16
        brand, act, qual = like["parts"] if like else self._name_parts(want_my)
        qen, qkm, qmy = qual or ("", "", "")
        brand_en = brand[1] if like else brand[0]  # lookalikes borrow a variant spelling
        short = " ".join(x for x in (brand_en, qen, act[0]) if x)
        legal_en = like["legal_en"] if like else r.choices(*zip(*LEGAL_EN))[0]
        legal_km = LEGAL_KM[0] if r.random() < 0.8 else LEGAL_KM[1]
        if like:  # same English suffix, the other Khmer one: nearly indistinguishable
            legal_km = LEGAL_KM[1] if like["legal_km"] == LEGAL_KM[0] else LEGAL_KM[0]
        zw = r.random() < 0.06
        core = (brand[2], qkm, act[1]) if act[3] == "b" else (act[1], brand[2], qkm)
        name_km = self._kh_join(("ក្រុមហ៊ុន",) + core + (legal_km,), zw)
        name_my = ""
        if want_my and (qual is None or qmy):
            name_my = " ".join(x for x in (brand[3], qmy, act[2], "ကုမ္ပဏီလီမိတက်") if x)
        aliases = []
        for _ in range(r.choices((0, 1, 2), (40, 40, 20))[0]):
            kind = r.random()
            if kind < 0.45:
                a = short.replace(brand[0], brand[1]).replace("Phnom Penh", "Phnompenh")
            elif kind < 0.75:
                a = self._kh_join((brand[2], qkm, act[1]), False)
            else:
                a = f"{brand_en} {r.choice(('Jobs', 'Overseas', 'Careers', 'Group'))}"
            if a not in aliases and a != short:
                aliases.append(a)
        prov = like["prov"] if like else r.choices(range(len(PROVINCES)), PROV_W)[0]
        p = PROVINCES[prov]
        no, street = r.randint(1, 399), r.choice((r.randint(2, 99) * 2, r.randint(100, 600)))
        address_my = ""
        if prov == PP:
            kh = r.choice(PP_AREAS)
            address_en = f"No. {no}, Street {street}, Sangkat {kh[2]}, Khan {kh[0]}, Phnom Penh"
            address_km = f"ផ្ទះលេខ {no} ផ្លូវលេខ {street} សង្កាត់{kh[3]} ខណ្ឌ{kh[1]} រាជធានីភ្នំពេញ"
            if name_my:
                address_my = f"အမှတ် {no}၊ လမ်း {street}၊ ဖနွမ်းပင်မြို့၊ ကမ္ဘောဒီးယား".translate(MY_DIGITS)
        else:
            address_en = f"No. {no}, Road {street}, {p[1]} Province"
            address_km = f"ផ្ទះលេខ {no} ផ្លូវលេខ {street} ខេត្ត{p[2]}"
        landline = r.random() < 0.3
        phones = [self._phone(p[3] if landline else None)]
        phones += [self._phone() for _ in range(r.choices((0, 1, 2), (45, 40, 15))[0])]
        channels, email, website = self._contacts(short, phones, landline)
        dests = self._destinations()
        return dict(parts=(brand, act, qual), legal_en=legal_en, legal_km=legal_km, prov=prov,
                    target=target, licences=self._licences(target), dests=dests,
                    fixed=[short + legal_en, name_km, name_my, ";".join(aliases), p[0], address_en,
                           address_km.translate(KM_DIGITS), address_my, ";".join(phones),
                           ";".join(channels), email, website, ";".join(dests)])

    def _contacts(self, short, phones, landline):
        r = self.rng
        slug = "-".join("".join(c for c in short.lower() if c.isalnum() or c == " ").split())
        flat = slug.replace("-", "")
        channels = []
        if r.random() < 0.85:
            channels.append(f"facebook:https://www.facebook.com/{flat}")
        if r.random() < 0.5:
            channels.append(f"telegram:@{slug.replace('-', '_')}")
        if r.random() < 0.25 and not (landline and len(phones) == 1):  # one of its own mobiles
            digits = "".join(c for c in phones[-1].translate(ASCII_DIGITS) if c.isdigit())
            digits = digits.removeprefix(self.calling_code).removeprefix("0")
            channels.append(f"viber:+{self.calling_code}{digits}")
        if r.random() < 0.08:
            channels.append(f"website:https://jobs.{slug}.example")
        for _ in range(r.choices((0, 1, 2), (80, 15, 5))[0]):
            b = self._province()[1]
            channels.append(f"branch:{b} {r.choice(('office', 'branch'))}, {r.choice(('Road', 'Street', 'National Road'))} {r.randint(1, 60)}")
        email = "" if r.random() < 0.15 else (
            f"{r.choice(('info', 'contact', 'hr', 'recruit', 'office'))}@{slug}.example"
            if r.random() < 0.8 else f"{flat}{r.randint(1, 99)}@mail.example")
        website = f"https://{r.choice(('', 'www.'))}{slug}.example" if r.random() < 0.75 else ""
        return channels, email, website

    def _province(self):
        return self.provinces[self.rng.choices(range(len(self.provinces)), self.province_weights)[0]]

    def _country(self):
        return self.rng.choices(self.countries, self.country_weights)[0]

    def _destinations(self):
        dests = set()
        for _ in range(self.rng.choices((1, 2, 3, 4), (30, 35, 25, 10))[0]):
            dests.add(self._country()[0])
        return [c[0] for c in self.countries if c[0] in dests]

    def _licences(self, target):
        """The licence chain, oldest first, dated to give `target` on the reference date."""
        r, D = self.rng, self.D
        years = r.choice((2, 3))
        if target in ("licensed", "suspended"):
            issued = D - r.randint(1, 365 * years - 2)
        elif target == "revoked":
            issued = D - r.randint(100, 365 * years + 300)
        elif target == "expired":
            issued = _plus_years(D - r.randint(1, 1100), -years) + 1
        else:
            issued = D + r.randint(1, 120)
        chain = [(issued, _plus_years(issued, years) - 1)]
        if target != "not_licensed" and r.random() < 0.4:
            for _ in range(r.choice((1, 1, 2))):
                end = chain[-1][0] - (1 if r.random() < 0.7 else r.randint(20, 400))
                y = r.choice((2, 3))
                chain.append((_plus_years(end + 1, -y), end))
        chain.reverse()
        licences, prev = [], ""
        for start, end in chain:
            y = date.fromordinal(start).year
            num = self._licence_number(y)
            licences.append((num, start, end, prev))
            prev = num
        return licences

    def _licence_number(self, year):
        return f"KH-MLVT-{year}-{self._next('lic', year):04d}"

    # -- related records -----------------------------------------------------
    def _sanction(self, ag, kind, state, lo, hi, cover=False):
        r, D = self.rng, self.D
        if cover and kind == "suspension":  # makes the agency suspended on the reference date
            frm = D - r.randint(0, 240)
            to = None if r.random() < 0.35 else D + r.randint(0, 300)
            decided = frm - r.randint(0, 20)
        elif cover:  # revocation in effect on the reference date
            frm = r.randint(max(lo + 60, D - 700), min(hi, D - 1))
            decided, to = frm - r.randint(0, 30), None
        else:
            if state == "pending":
                decided = D - r.randint(1, 90)
            elif state == "under_appeal":
                decided = D - r.randint(1, 400)
            else:
                decided = r.randint(min(lo, hi - 30), hi)
            frm, to = decided, None
            if kind == "suspension":
                frm = decided + r.randint(0, 14)
                to = frm + r.randint(30, 180)
                if state in ("in_force", "under_appeal") and to >= D:  # must not suspend today
                    shift = to - D + r.randint(1, 60)
                    decided, frm, to = decided - shift, frm - shift, to - shift
                elif state in ("pending", "overturned") and r.random() < 0.25:
                    to = None
            elif kind == "revocation":
                if state in ("in_force", "under_appeal"):  # decided, but takes effect later
                    decided = D - r.randint(1, 30)
                    frm = D + r.randint(1, 45)
                else:
                    frm = decided + r.randint(0, 30)
        amount = currency = paid = ""
        if kind == "fine":
            amount, currency = self._fine()
            paid = "yes" if state == "in_force" and r.random() < 0.7 else "no"
        if (kind, state) in self.need:
            self.need[(kind, state)] -= 1
            if not self.need[(kind, state)]:
                del self.need[(kind, state)]
        reason = r.choice(REASONS)
        y = date.fromordinal(decided).year
        return [ag["licences"][-1][0], kind, _iso(decided), _iso(frm), _iso(to) if to else "",
                amount, currency, paid, *reason, self._decision_ref(y), state]

    def _fine(self):
        r = self.rng
        if r.random() < 0.6:
            return r.randint(2, 40) * 500_000, "KHR"
        return r.randint(2, 50) * 100, "USD"

    def _decision_ref(self, year):
        return f"Prakas {self._next('prakas', year, 2)}/{year} MLVT"

    def _related(self, ag):
        r, D = self.rng, self.D
        lic = ag["licences"]
        newest, first, last_end = lic[-1][0], lic[0][1], lic[-1][2]
        target = ag["target"]
        reps = []
        for _ in range(r.choices((0, 1, 2, 3), (20, 45, 25, 10))[0]):
            self.rep_no += 1
            frm = min(D - 10, max(lic[-1][1], D - 2000) - r.randint(0, 200))
            to = "" if r.random() < 0.5 else _iso(frm + r.randint(180, 1500))
            prov = ag["prov"] if r.random() < 0.7 else self.rng.choices(
                range(len(self.provinces)), self.province_weights)[0]
            reps.append([newest, self._person(), f"REP-{self.rep_no:06d}", self._phone(),
                         self.provinces[prov][0], _iso(frm), to])
        sanctions = []
        if target != "not_licensed":
            lo, hi = max(first, D - 6 * 365), min(D - 1, last_end)
            if target == "suspended":
                sanctions.append(self._sanction(ag, "suspension", r.choice(("in_force",) * 4 + ("under_appeal",)), lo, hi, True))
            elif target == "revoked":
                sanctions.append(self._sanction(ag, "revocation", r.choice(("in_force",) * 6 + ("under_appeal",)), lic[-1][1], hi, True))
            extra = r.choices((0, 1, 2, 3), (72, 18, 7, 3))[0] + (target in ("suspended", "revoked"))
            for _ in range(extra):
                if self.need and r.random() < 0.5:
                    kind, state = r.choice(sorted(self.need))
                else:
                    kind = r.choices(KINDS, (35, 40, 17, 8))[0]
                    state = r.choices(STATES, (12, 65, 12, 11))[0]
                sanctions.append(self._sanction(ag, kind, state, lo, hi))
        complaints = []
        if target == "not_licensed":
            n, lo, hi = r.choice((0, 0, 0, 1)), D - 300, D - 1
        else:
            n = r.randint(15, 45) if r.random() < 0.03 else int(r.expovariate(1 / 2.8))
            n *= 2 if target in ("suspended", "revoked") else 1
            lo, hi = max(first, D - 5 * 365), min(D - 1, last_end + 200)
        for _ in range(n):
            received = r.randint(min(lo, hi - 60), hi)
            age = D - received
            if age < 30:
                status = r.choice(("received", "investigating"))
            elif age < 120:
                status = r.choices(("received", "investigating", "mediated", "resolved", "dismissed", "referred"), (10, 40, 15, 15, 10, 10))[0]
            else:
                status = r.choices(("investigating", "mediated", "resolved", "dismissed", "referred"), (8, 22, 35, 20, 15))[0]
            closed = comp = cur = ""
            if status not in ("received", "investigating"):
                closed = _iso(received + r.randint(0, min(300, D - 1 - received)))
                if status in ("mediated", "resolved") and r.random() < 0.6:
                    comp, cur = self._compensation()
            cat = r.choices(COMPLAINT_TEXT, COMPLAINT_W)[0]
            dest = r.choice(ag["dests"]) if r.random() < 0.9 else self._country()[0]
            detail = self._complaint_detail(cat[0], next(x for x in self.countries if x[0] == dest))
            y = date.fromordinal(received).year
            complaints.append([newest, _iso(received), cat[0], dest, min(40, 1 + int(r.expovariate(1 / 4))),
                               status, comp, cur, closed, self._person(),
                               self._phone() if r.random() < 0.9 else "", detail,
                               f"C-{y}-{self._next('case', y, 1):06d}"])
        return reps, sanctions, complaints

    def _compensation(self):
        r = self.rng
        return (r.randint(2, 60) * 50, "USD") if r.random() < 0.7 else (r.randint(4, 120) * 100_000, "KHR")

    def _complaint_detail(self, category, country):
        """The complainant's account, in the national language or English."""
        r = self.rng
        text = next(c for c in COMPLAINT_TEXT if c[0] == category)
        km = r.random() < 0.6
        detail = (text[3] if km else text[2]).format(c=country[2] if km else country[1], n=r.randint(2, 9))
        return detail.translate(KM_DIGITS) if km else detail

    def rows(self, n):
        """Yield (licence rows, representatives, sanctions, complaints) per agency."""
        made = 0
        while made < n:
            target = self.rng.choices(*zip(*TARGETS))[0]
            batch = [self._agency(target)]
            # A lookalike trading on a licensed agency's name: licensed too, or already expired.
            if target == "licensed" and made + 1 < n and self.rng.random() < 0.03:
                batch.append(self._agency(self.rng.choice(("licensed", "expired")), like=batch[0]))
            for ag in batch:
                made += 1
                lic = [[num, *ag["fixed"], _iso(s), _iso(e), prev] for num, s, e, prev in ag["licences"]]
                yield (lic, *self._related(ag))


def generator(country):
    if country == "KH":
        return _Generator
    if country == "MM":
        from myanmar import MyanmarGenerator  # beside this file; it builds on this module
        return MyanmarGenerator
    raise ValueError(f"no vocabulary for country {country!r}: KH or MM")


def write_registry(out_dir, agencies: int, seed: int = 2026, reference_date=date(2026, 1, 1),
                   country="KH") -> dict:
    """Write agencies/representatives/sanctions/complaints CSVs and reference_date.txt
    into out_dir; return row counts.  The same seed always gives the same files."""
    os.makedirs(out_dir, exist_ok=True)
    gen = generator(country)(random.Random(seed), reference_date)
    counts = {"agencies": 0, "licences": 0, "sanctions": 0, "complaints": 0, "representatives": 0}
    files = {k: open(os.path.join(out_dir, f"{k}.csv"), "w", newline="", encoding="utf-8") for k in HEADERS}
    try:
        w = {k: csv.writer(f) for k, f in files.items()}
        for k, header in HEADERS.items():
            w[k].writerow(header.split(","))
        for lic, reps, sanctions, complaints in gen.rows(agencies):
            counts["agencies"] += 1
            for key, rows in (("agencies", lic), ("representatives", reps),
                              ("sanctions", sanctions), ("complaints", complaints)):
                w[key].writerows(rows)
                counts["licences" if key == "agencies" else key] += len(rows)
    finally:
        for f in files.values():
            f.close()
    with open(os.path.join(out_dir, "reference_date.txt"), "w", encoding="utf-8") as f:
        f.write(reference_date.isoformat() + "\n")
    return counts


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("seed", help="a country's demo data set (~320 agencies, fixed seed)")
    s.add_argument("--out", help="default: registry/seed/<COUNTRY>")
    z = sub.add_parser("size", help="N agencies, e.g. for benchmarks")
    z.add_argument("n", type=int)
    z.add_argument("--out", required=True)
    z.add_argument("--seed", type=int, default=2026)
    for p in (s, z):
        p.add_argument("--country", choices=("KH", "MM"), default="KH")
    a = ap.parse_args(argv)
    t0 = time.perf_counter()
    if a.cmd == "seed":
        a.out = a.out or f"registry/seed/{a.country}"
        counts = write_registry(a.out, 320, country=a.country)
    else:
        counts = write_registry(a.out, a.n, a.seed, country=a.country)
    print(f"{counts} -> {a.out} in {time.perf_counter() - t0:.1f}s")


if __name__ == "__main__":
    main()
