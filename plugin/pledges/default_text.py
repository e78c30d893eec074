"""The pledge text CareBridge ships as version 1 (DOMAIN §4): the five commitments, in Chinese as
signed, with our English translation. Companies edit it into their own wording (a new version).

The wording follows the six bodies' 2019 guidance and the Yunnan opinion (``/work/shared/seeds``):
parents working away perform family guardianship duties and the duty of upbringing; the Minor
Protection Law (Arts. 21-23) sets the safety rules, the entrusted carer and weekly contact.
Lines are paragraphs; documents print them in order.
"""
from __future__ import annotations

TITLE_ZH = "监护责任承诺书"
TITLE_EN = "Guardianship Responsibility Pledge"

BODY_ZH = """本人是下列未成年子女的法定监护人。为依法履行监护职责、关爱子女健康成长，本人郑重承诺：
一、认真学习《中华人民共和国未成年人保护法》《中华人民共和国家庭教育促进法》等法律法规，树立儿童优先理念，不断提高监护能力。
二、依法履行家庭监护职责和抚养义务。外出务工期间，委托具有照护能力的成年人照护子女，并将委托照护情况书面告知子女就读的学校和村（居）民委员会。
三、保障子女人身安全：不让未满八周岁的子女处于无人看护状态，不让未满十六周岁的子女脱离监护单独生活；提醒并督促照护人做好防溺水、防交通事故、防欺凌、防性侵害等安全教育。
四、关心子女心理健康，留意子女情绪和行为的变化，发现异常及时沟通、主动寻求帮助。
五、保持亲子沟通，每周至少与子女和照护人联系一次，了解子女的生活、学习和身心状况；节假日尽可能与子女团聚。
本人自愿签署本承诺书，并接受所在单位的监督。"""

BODY_EN = """I am the legal guardian of the minor children named below. To fulfil my guardianship \
duties under the law and care for my children's healthy growth, I solemnly pledge:
1. To study the Law on the Protection of Minors, the Family Education Promotion Law and related \
laws and regulations, to put children first and to keep improving my ability as a guardian.
2. To perform my family guardianship duties and my duty of upbringing as the law requires. While I \
work away from home, I will entrust my children to the care of a capable adult and inform their \
school and the village (residents') committee of this arrangement in writing.
3. To keep my children safe: never to leave a child under eight unattended, nor let a child under \
sixteen live alone without a guardian; and to remind and urge the carer to teach them about the \
dangers of drowning, traffic, bullying and sexual abuse.
4. To care for my children's mental health, to watch for changes in their mood and behaviour, and \
to talk with them and seek help promptly when something is wrong.
5. To keep in touch: to contact my children and their carer at least once a week, to follow their \
daily life, studies, health and feelings, and to be with them during holidays whenever I can.
I sign this pledge of my own free will and accept the supervision of my employer."""
