"""Myanmar's vocabulary for the synthetic registry (bench/synthetic.py --country MM).

Entirely fictional, like the Cambodian set: agency names as Myanmar agencies write them
(Burmese, with and without ကုမ္ပဏီ လီမိတက်, an English name beside it that romanises the
Burmese one), states and regions by ISO 3166-2:MM, phones as people write them (09 …,
+95 9 …, Myanmar digits), destinations typical for Myanmar, licences of the Ministry of
Labour. A few agencies' Burmese fields are written in Zawgyi, as many phones still type it,
so that loading the set exercises the import's conversion.
"""
from synthetic import MY_DIGITS, _Generator, _NumberPool, _table

# code | English | Burmese | landline area code | weight (Yangon dominates, as in reality)
# | main town (English) | main town (Burmese)
REGIONS = _table("""
MM-01|Sagaing|စစ်ကိုင်း|71|3|Monywa|မုံရွာ
MM-02|Bago|ပဲခူး|52|4|Bago|ပဲခူး
MM-03|Magway|မကွေး|63|3|Magway|မကွေး
MM-04|Mandalay|မန္တလေး|2|12|Mandalay|မန္တလေး
MM-05|Tanintharyi|တနင်္သာရီ|59|2|Dawei|ထားဝယ်
MM-06|Yangon|ရန်ကုန်|1|55|Yangon|ရန်ကုန်
MM-07|Ayeyarwady|ဧရာဝတီ|42|4|Pathein|ပုသိမ်
MM-11|Kachin|ကချင်|74|1|Myitkyina|မြစ်ကြီးနား
MM-12|Kayah|ကယား|83|0.3|Loikaw|လွိုင်ကော်
MM-13|Kayin|ကရင်|58|2|Hpa-An|ဘားအံ
MM-14|Chin|ချင်း|70|0.3|Hakha|ဟားခါး
MM-15|Mon|မွန်|57|4|Mawlamyine|မော်လမြိုင်
MM-16|Rakhine|ရခိုင်|43|1|Sittwe|စစ်တွေ
MM-17|Shan|ရှမ်း|81|4|Taunggyi|တောင်ကြီး
MM-18|Nay Pyi Taw|နေပြည်တော်|67|2|Nay Pyi Taw|နေပြည်တော်
""")
YANGON = 5

# Yangon addresses: township EN | township MY | street EN | street MY
YANGON_AREAS = _table("""
Kamayut|ကမာရွတ်|Pyay Road|ပြည်လမ်း
Bahan|ဗဟန်း|Kaba Aye Pagoda Road|ကမ္ဘာအေးဘုရားလမ်း
Hlaing|လှိုင်|Insein Road|အင်းစိန်လမ်း
Sanchaung|စမ်းချောင်း|Baho Road|ဗဟိုလမ်း
Mayangone|မရမ်းကုန်း|Kaba Aye Pagoda Road|ကမ္ဘာအေးဘုရားလမ်း
Tamwe|တာမွေ|Kyaikkasan Road|ကျိုက္ကဆံလမ်း
Yankin|ရန်ကင်း|Thitsar Road|သစ္စာလမ်း
Pabedan|ပန်းဘဲတန်း|Bogyoke Aung San Road|ဗိုလ်ချုပ်အောင်ဆန်းလမ်း
Kyauktada|ကျောက်တံတား|Maha Bandula Road|မဟာဗန္ဓုလလမ်း
Botahtaung|ဗိုလ်တထောင်|Anawrahta Road|အနော်ရထာလမ်း
Insein|အင်းစိန်|Insein Road|အင်းစိန်လမ်း
Thingangyun|သင်္ဃန်းကျွန်း|Waizayandar Road|ဝေဇယန္တာလမ်း
""")

# code | English | Burmese | weight
COUNTRIES = _table("""
TH|Thailand|ထိုင်းနိုင်ငံ|40
MY|Malaysia|မလေးရှားနိုင်ငံ|20
JP|Japan|ဂျပန်နိုင်ငံ|12
KR|South Korea|ကိုရီးယားနိုင်ငံ|10
SG|Singapore|စင်ကာပူနိုင်ငံ|8
AE|the United Arab Emirates|အာရပ်စော်ဘွားများ ပြည်ထောင်စု|4
QA|Qatar|ကာတာနိုင်ငံ|2
HK|Hong Kong|ဟောင်ကောင်|2
""")

# Romanised as the agency writes it | as others write it | Burmese
BRANDS = _table("""
Shwe Nadi|Shwe Nati|ရွှေနဒီ
Aung Thiri|Aung Thiree|အောင်သီရိ
Myint Mo|Myit Mo|မြင့်မိုရ်
Thazin|Tha Zin|သဇင်
Yadanar|Yadana|ရတနာ
Shwe Pyi|Shwe Pyay|ရွှေပြည်
Hlaing Min|Laing Min|လှိုင်မင်း
Kyaw Swar|Chaw Swa|ကျော်စွာ
Htet Aung|Het Aung|ထက်အောင်
Thein Naing|Thane Naing|သိန်းနိုင်
Aung Gyi|Aung Ji|အောင်ကြီး
Hsu Myat|Su Myat|ဆုမြတ်
Mya Nandar|Mya Nanda|မြနန္ဒာ
Nay Chi|Ne Chi|နေခြည်
Moe Kaung|Mo Kaung|မိုးကောင်း
Ngwe Taung|Nwe Taung|ငွေတောင်
Pyae Phyo|Pye Pyo|ပြည့်ဖြိုး
Thuta|Thu Ta|သုတ
Zabu|Zambu|ဇမ္ဗူ
Shwe Sin|Shwe Sinn|ရွှေဆင်
Myat Mon|Myat Mone|မြတ်မွန်
Zaw Win|Zaw Winn|ဇော်ဝင်း
Htoo Lwin|Tu Lwin|ထူးလွင်
Golden Land|Golden Lands|ရွှေမြေ
Sky Bridge|Skybridge|ကောင်းကင်တံတား
Royal Lotus|Royal Lotos|တော်ဝင်ကြာ
Mekong|Mekhong|မဲခေါင်
Asia Pacific|Asia-Pacific|အာရှပစိဖိတ်
Ever Green|Evergreen|အမြဲစိမ်း
Bagan|Pagan|ပုဂံ
Inle|Inlay|အင်းလေး
""")

# English | Burmese
ACTIVITIES = _table("""
Overseas Employment Agency|ပြည်ပအလုပ်အကိုင်ရှာဖွေရေးအေဂျင်စီ
Overseas Employment Services|ပြည်ပအလုပ်အကိုင် ဝန်ဆောင်မှု
Manpower|လူ့စွမ်းအား
Human Resources|လူ့စွမ်းအားအရင်းအမြစ်
International Manpower Services|အပြည်ပြည်ဆိုင်ရာ လူ့စွမ်းအား ဝန်ဆောင်မှု
Employment Agency|အလုပ်အကိုင်ရှာဖွေရေးအေဂျင်စီ
Recruitment Services|ဝန်ထမ်းခေါ်ယူရေး ဝန်ဆောင်မှု
Job Services|အလုပ်အကိုင် ဝန်ဆောင်မှု
Labour Services|အလုပ်သမား ဝန်ဆောင်မှု
""")
LEGAL_EN = [(" Co., Ltd.", 45), (" Company Limited", 25), (" Co., Ltd", 10), (" Co. Ltd.", 10), ("", 10)]
LEGAL_MY = [("ကုမ္ပဏီ လီမိတက်", 45), ("ကုမ္ပဏီလီမိတက်", 30), ("", 25)]

# Syllables of Burmese personal names: romanised | Burmese (no family names in Myanmar).
SYLLABLES = [tuple(x.split("=")) for x in """
Aung=အောင် Kyaw=ကျော် Zaw=ဇော် Min=မင်း Htet=ထက် Naing=နိုင် Thein=သိန်း Myint=မြင့်
Hlaing=လှိုင် Win=ဝင်း Tun=ထွန်း Soe=စိုး Moe=မိုး Hnin=နှင်း Wai=ဝေ Phyo=ဖြိုး Khin=ခင်
Mya=မြ Su=စု Hsu=ဆု Zin=ဇင် Thu=သူ Ei=အိ Phyu=ဖြူ Nwe=နွယ် Cho=ချို Lwin=လွင် Thant=သန့်
Kyi=ကြည် Myat=မြတ် Yee=ရည် Nyein=ငြိမ်း Thiha=သီဟ Htoo=ထူး Paing=ပိုင် Wunna=ဝဏ္ဏ
""".split()]

# Complaint category | weight | English | Burmese  ({c}: destination, {n}: number)
COMPLAINT_TEXT = _table("""
excessive_fees|30|Workers were asked to pay {n} lakh kyat each before leaving for {c}.|{c}သို့ မထွက်ခွာမီ အလုပ်သမားတစ်ဦးလျှင် ကျပ် {n} သိန်း ပေးဆောင်ရန် တောင်းဆိုခဲ့သည်။
contract_substitution|14|The contract signed in {c} differs from the one signed in Myanmar and the wage is lower.|{c}တွင် ချုပ်ဆိုရသော စာချုပ်သည် မြန်မာနိုင်ငံတွင် ချုပ်ဆိုခဲ့သော စာချုပ်နှင့် မတူဘဲ လုပ်ခ ပိုနည်းသည်။
deception|16|The agency promised factory work in {c} but the workers were sent to a farm.|အေဂျင်စီက {c}တွင် စက်ရုံအလုပ်ဟု ကတိပေးခဲ့သော်လည်း အလုပ်သမားများကို စိုက်ခင်းသို့ ပို့ခဲ့သည်။
document_retention|12|The agency kept the workers' passports and refuses to return them.|အေဂျင်စီက အလုပ်သမားများ၏ နိုင်ငံကူးလက်မှတ်များကို သိမ်းထားပြီး ပြန်မပေးပါ။
abuse|7|Workers say they were locked in the training centre and threatened by staff.|သင်တန်းကျောင်းတွင် ပိတ်လှောင်ခံရပြီး ဝန်ထမ်းများက ခြိမ်းခြောက်ခဲ့သည်ဟု အလုပ်သမားများက ပြောသည်။
wage_theft|14|Workers in {c} have not been paid for {n} months.|{c}ရှိ အလုပ်သမားများသည် {n} လကြာ လုပ်ခ မရရှိသေးပါ။
other|7|The agency did not help a sick worker come home from {c}.|{c}မှ ဖျားနာနေသော အလုပ်သမားတစ်ဦး အိမ်ပြန်နိုင်ရန် အေဂျင်စီက မကူညီခဲ့ပါ။
""")
COMPLAINT_W = [int(c[1]) for c in COMPLAINT_TEXT]

#: Mobile prefixes of the Myanmar operators (09 4…, 09 2…, 09 7…, 09 9…, 09 6…).
MOBILE_PREFIXES = "9420 9450 9250 9260 9400 9440 9790 9760 9780 9770 9750 9970 9960 9890 9690 9680".split()
#: Share of agencies whose Burmese name and address were typed in Zawgyi.
ZAWGYI_SHARE = 0.05


def _zawgyi(text):
    """The same text as a Zawgyi phone types it, or None where the detector could not tell
    it from Unicode (short text): the import converts what it detects, nothing else."""
    from registry.zawgyi import to_unicode, to_zawgyi  # the project's venv; only for MM
    typed = to_zawgyi(text)
    return typed if typed != text and to_unicode(typed) == (text, True) else None


class MyanmarGenerator(_Generator):
    provinces = REGIONS
    province_weights = [float(p[4]) for p in REGIONS]
    countries = COUNTRIES
    country_weights = [int(c[3]) for c in COUNTRIES]
    mobile_prefixes, calling_code = MOBILE_PREFIXES, "95"

    def _phone(self, area=None):
        r = self.rng
        if area:
            pool = self.landlines.setdefault(area, _NumberPool([area], r))
            pre, s = pool.take()
            fmt = r.choice(("0{p}-{a}{b}", "0{p} {a} {b}", "+95 {p} {a} {b}", "0{p} {a}{b}"))
            return fmt.format(p=pre, a=s[:3], b=s[3:])
        pre, s = self.mobiles.take()
        nsn = pre + s  # 9 420 123 456
        fmt = r.choices(("09 {a} {b} {c}", "09-{a}{b}{c}", "+95 9 {a} {b} {c}", "09{a}{b}{c}",
                         "09 {a} {b}{c}", "myanmar"), (30, 15, 20, 10, 10, 15))[0]
        if fmt == "myanmar":  # typed on a Burmese keyboard
            return f"09 {nsn[1:4]} {nsn[4:7]} {nsn[7:]}".translate(MY_DIGITS)
        return fmt.format(a=nsn[1:4], b=nsn[4:7], c=nsn[7:])

    def _person(self):
        r = self.rng
        parts = r.sample(SYLLABLES, r.choice((2, 2, 3)))
        roll = r.random()
        if roll < 0.5:
            return "".join(p[1] for p in parts)
        if roll < 0.6:
            return r.choice(("ဦး", "ဒေါ်")) + "".join(p[1] for p in parts)
        latin = " ".join(p[0] for p in parts)
        return f"{r.choice(('U', 'Daw'))} {latin}" if roll < 0.75 else latin

    def _name_parts(self):
        r = self.rng
        brand, act = r.choice(BRANDS), r.choice(ACTIVITIES)
        state = self.names.get((brand[0], act[0]))
        if state is None:  # the plain name first; then regions, other brands, then both
            head = [(p[1], p[2]) for p in REGIONS]
            tail = ([(b[0], b[2]) for b in BRANDS if b != brand]
                    + [(b[0] + " " + p[1], b[2] + " " + p[2]) for b in BRANDS if b != brand
                       for p in REGIONS])
            r.shuffle(head), r.shuffle(tail)
            self.names[(brand[0], act[0])] = [head + tail, 0]
            return brand, act, ("", "")
        quals, used = state
        state[1] += 1
        lap, i = divmod(used, len(quals))
        q = quals[i]
        if lap:  # only past ~500 agencies per brand and activity
            q = (f"{q[0]} {lap + 1}", f"{q[1]} {lap + 1}".translate(MY_DIGITS))
        return brand, act, q

    def _agency(self, target, like=None):
        r = self.rng
        brand, act, qual = like["parts"] if like else self._name_parts()
        brand_en = brand[1] if like else brand[0]  # lookalikes borrow a variant spelling
        short = " ".join(x for x in (brand_en, qual[0], act[0]) if x)
        legal_en = like["legal_en"] if like else r.choices(*zip(*LEGAL_EN))[0]
        legal_my = r.choices(*zip(*LEGAL_MY))[0]
        if like:  # the same name with the other way of writing the legal form
            legal_my = LEGAL_MY[1][0] if like["legal_km"] == LEGAL_MY[0][0] else LEGAL_MY[0][0]
        name_my = " ".join(x for x in (brand[2], qual[1], act[1], legal_my) if x)
        aliases = []
        for _ in range(r.choices((0, 1, 2), (40, 40, 20))[0]):
            kind = r.random()
            if kind < 0.45:
                a = short.replace(brand[0], brand[1])
            elif kind < 0.75:
                a = " ".join(x for x in (brand[2], qual[1], act[1]) if x)
            else:
                a = f"{brand_en} {r.choice(('Overseas', 'Jobs', 'Group', 'Myanmar'))}"
            if a not in aliases and a != short:
                aliases.append(a)
        prov = like["prov"] if like else r.choices(range(len(REGIONS)), self.province_weights)[0]
        p = REGIONS[prov]
        no = r.randint(1, 399)
        if prov == YANGON:
            area = r.choice(YANGON_AREAS)
            address_en = f"No. {no}, {area[2]}, {area[0]} Township, Yangon"
            address_my = f"အမှတ် {no}၊ {area[3]}၊ {area[1]}မြို့နယ်၊ ရန်ကုန်မြို့"
        else:
            ward = r.randint(1, 20)
            division = "" if p[0] == "MM-18" else f", {p[1]} {'State' if p[0] > 'MM-10' else 'Region'}"
            address_en = f"No. {no}, Ward {ward}, {p[5]}{division}"
            address_my = f"အမှတ် {no}၊ ({ward}) ရပ်ကွက်၊ {p[6]}မြို့"
        address_my = address_my.translate(MY_DIGITS)
        if r.random() < ZAWGYI_SHARE:
            name_my = _zawgyi(name_my) or name_my
            address_my = _zawgyi(address_my) or address_my
        landline = r.random() < 0.3
        phones = [self._phone(p[3] if landline else None)]
        phones += [self._phone() for _ in range(r.choices((0, 1, 2), (45, 40, 15))[0])]
        channels, email, website = self._contacts(short, phones, landline)
        dests = self._destinations()
        return dict(parts=(brand, act, qual), legal_en=legal_en, legal_km=legal_my, prov=prov,
                    target=target, licences=self._licences(target), dests=dests,
                    fixed=[short + legal_en, "", name_my, ";".join(aliases), p[0], address_en,
                           "", address_my, ";".join(phones), ";".join(channels), email, website,
                           ";".join(dests)])

    def _licence_number(self, year):
        return f"MOL-OEA-{year}-{self._next('lic', year):04d}"

    def _fine(self):
        r = self.rng
        if r.random() < 0.75:
            return r.randint(1, 40) * 500_000, "MMK"
        return r.randint(2, 50) * 100, "USD"

    def _decision_ref(self, year):
        return f"MOL Order {self._next('order', year, 2)}/{year}"

    def _compensation(self):
        r = self.rng
        roll = r.random()
        if roll < 0.6:
            return r.randint(2, 60) * 100_000, "MMK"
        return (r.randint(2, 60) * 50, "USD") if roll < 0.9 else (r.randint(5, 80) * 1000, "THB")

    def _complaint_detail(self, category, country):
        r = self.rng
        text = next(c for c in COMPLAINT_TEXT if c[0] == category)
        my = r.random() < 0.7
        detail = (text[3] if my else text[2]).format(c=country[2] if my else country[1],
                                                     n=r.randint(2, 9))
        return detail.translate(MY_DIGITS) if my else detail
