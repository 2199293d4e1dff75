#!/usr/bin/env python3
"""Write tests/data/devset/responses.jsonl: the labelled development set.

Every response below was written for this project (none is a real person's
or organisation's submission) and labelled by hand from the definitions in
../shared/THEMES.md, before the shipped theme file's terms were consulted.
See README.md beside this script for the labelling rules and the split.

    python3 tests/data/devset/make-devset.py   # rewrites responses.jsonl

The output is deterministic; the .jsonl is committed so that CI and the bench
never need python3.
"""
import hashlib
import json
import os
import sys

THEMES = ["violence", "victims", "trust", "exploitation", "asb",
          "burglary-robbery", "drugs", "neighbourhood-policing",
          "partnership", "resources", "justice"]

# Short codes used in the labels below, so a label line stays readable.
CODE = {"viol": "violence", "vict": "victims", "trust": "trust",
        "expl": "exploitation", "asb": "asb", "burg": "burglary-robbery",
        "drugs": "drugs", "np": "neighbourhood-policing",
        "part": "partnership", "res": "resources", "just": "justice"}

R = []


def add(kind, subject, labels, text):
    themes = [] if labels.strip() == "-" else [CODE[c] for c in labels.split()]
    assert len(set(themes)) == len(themes), subject
    R.append({"kind": kind, "subject": subject,
              "text": text.strip("\n"), "themes": themes})


def org(subject, labels, text):
    add("organisation", subject, labels, text)


def ind(subject, labels, text):
    add("individual", subject, labels, text)


# ---------------------------------------------------------------------------
# Organisations: councils, scrutiny committees, Safer Neighbourhood Boards,
# charities, victims' services, youth groups, BIDs, faith groups, residents'
# associations.
# ---------------------------------------------------------------------------

org("Response from the London Borough of Southwark", "viol part res expl", """
Southwark Council welcomes the opportunity to respond to the draft Police and Crime Plan. Our Community Safety Partnership has made serious youth violence its first priority for three years running, and we are pleased to see the Mayor place reducing violence at the top of the plan. Knife injuries among under-25s in the borough fell last year, but the number of young people carrying a blade remains stubbornly high.

We ask that MOPAC keeps the Violence Reduction Unit's borough grants on a multi-year footing. Single-year funding makes it almost impossible for us to commission youth workers, because good staff leave when contracts end in March. The top-slicing of the London Crime Prevention Fund has already cost our programme two detached youth workers.

Finally, the plan should say more about young people being groomed into carrying and selling for older men. Our children's services see the same names in exploitation referrals and in stabbings, and we need joint work with the police that treats these children as children first.
""")

org("Hackney Scrutiny Commission - submission", "trust", """
The Living in Hackney Scrutiny Commission held two evidence sessions on policing this year, including a session with young Black residents and their parents. We submit the following on behalf of the Commission.

Confidence in the police among Black residents in the borough is very low, and the strip search of a schoolgirl in 2020 has done lasting damage. Residents told us that stop and search is experienced as harassment, that grounds are rarely explained, and that body-worn video is not always switched on. The plan must commit to publishing stop and search data by ward and ethnicity every month, and to a community monitoring group with real powers to review footage.

We also heard that complaints go nowhere. Residents do not believe that a complaint against an officer will be investigated fairly, and several had given up. An independent route for complaints, and feedback to the complainant on the outcome, would help rebuild legitimacy.

The Commission also recommends that the Met sets targets for recruiting and retaining officers from Black and minority ethnic backgrounds in the borough, and reports against them.
""")

org("Safer Neighbourhood Board (Lewisham) response", "np trust asb part res", """
The Lewisham Safer Neighbourhood Board met on 14 January to agree this response.

Our main concern is the erosion of ward policing. Since the merger into the South East BCU, dedicated ward officers have been abstracted to cover events, aid and response shifts, sometimes for weeks. Ward panels report that they no longer know who their officers are. We ask that the plan guarantees two dedicated ward officers and one PCSO per ward, ring-fenced from abstraction except in genuine emergencies.

Residents tell us that the most common issues on their doorstep are anti-social behaviour: noisy groups in stairwells, motorbikes on the green, and street drinking outside the off-licence on the high road. These are not priorities in the draft plan but they drive how safe people feel.

We value the funding MOPAC gives Safer Neighbourhood Boards for community engagement and would like to see it protected. The ward panel model works when police attend and report back; it fails when they do not.
""")

org("Refuge and Domestic Abuse Services - consultation response", "viol vict just res", """
We are a specialist domestic abuse charity running refuges and community services in five London boroughs. We support the plan's focus on violence against women and girls, and we want to see that commitment backed by action.

Survivors tell us that the criminal justice process is the point at which they give up. Court backlogs mean that a woman who reports in 2021 may not see a trial until 2023. During that time she is expected to remain engaged, often while the perpetrator is on bail nearby. Many withdraw. Independent Domestic Violence Advisers make a measurable difference to whether a victim stays with a case, but there are not enough of them and their contracts are short.

We ask that the plan funds IDVA capacity in line with demand, that it commits to full compliance with the Victims' Code, and that it presses HMCTS and the CPS for specialist domestic abuse courts to be reinstated. Refuge space in London is still far short of the Council of Europe standard.
""")

org("Brixton Business Improvement District", "asb burg np drugs", """
The Brixton BID represents over 600 businesses in the town centre. Our members' experience of crime has changed over the last two years, and we would like the plan to reflect that.

Shoplifting is now constant and often brazen. Staff are threatened when they intervene and several retailers have stopped reporting because nothing happens. We also see open dealing around the station entrance and in the alley behind the market, and the associated begging, street drinking and urinating in doorways puts customers off. Late at night there is fighting outside the bars on Coldharbour Lane.

We fund our own street wardens, but they have no powers. What businesses want is a visible police presence in the town centre at the times when problems happen, a named town centre team that we can talk to, and a quicker response when staff call for help.
""")

org("Victim Support London - response to the draft Police and Crime Plan", "vict just", """
Victim Support welcomes the draft plan's commitment to better support for victims and witnesses. We are commissioned by MOPAC to provide the London Victim and Witness Service, and our response draws on the experience of the many thousands of people we help each year.

Victim satisfaction with the police has fallen year on year. Victims tell us they are not kept informed, they do not know who is dealing with their case, and they hear about charging decisions or court dates late or not at all. These are rights under the Victims' Code, and compliance must be monitored and published.

Witnesses also have poor experiences at court: long waits, sharing waiting areas with defendants' families, and trials adjourned on the day. Special measures are not always arranged in time. We would welcome a London Victims' Commissioner with a clear remit to hold agencies to account.

Finally, there should be a single point of contact for victims from report to outcome, so that people do not have to tell their story again each time an officer changes.
""")

org("St Mary's Parish, Tottenham - submission from the parochial church council", "viol trust part", """
Our church stands on a street where two young men have been stabbed to death in the past three years. We have held vigils and we have buried our young people. We respond to this consultation because our congregation asked us to.

Faith communities are often the first place families turn to after a killing, and we want to be partners with the police and the council rather than spectators. We would welcome training for faith leaders on supporting bereaved families, and a regular forum in which local churches, mosques and gurdwaras can meet the borough commander.

Many in our congregation, especially young Black men, do not trust the police. They speak of being stopped repeatedly on the way to church. We believe relationships can be rebuilt if officers come to know the community before a crisis, not only after one.
""")

org("Youth Council for Newham - our response", "viol trust", """
We are the Newham Youth Council, a group of 24 young people aged 13 to 19 elected by schools and youth clubs in the borough. We surveyed 640 young people for this response.

Two out of three young people we asked said they do not feel safe on the way home from school, mainly because of fights and people carrying knives. One in four knew someone who had been stabbed. Young people want more youth clubs open in the evenings and more mentors, not just more police.

Most young people we asked did not feel they could go to the police. Many had been stopped and searched, some more than once, and said officers were rude and did not explain why. Young people said they would feel more confident if officers came into schools and youth clubs to talk, not just to arrest, and if there were more officers who looked like them.
""")

org("Islington Residents' Federation - response", "asb np res drugs", """
The Federation brings together 38 tenants' and residents' associations on council estates across Islington. Our committee discussed the draft plan at our quarterly meeting.

The issue residents raise most is anti-social behaviour on estates: young people congregating in stairwells and lifts, cannabis smoke, noise late at night, fly-tipping by the bin stores and damage to door entry systems. Residents report it to the council and to 101 and nothing seems to happen. When they call 101 they wait half an hour or give up.

We were told last year that our estates would have a dedicated team. We have not seen them. We understand the police have lost funding, but if the Mayor is serious about neighbourhoods, officers must be visible on our estates on foot, not just driving through.
""")

org("Metropolitan Black Police Association - submission", "trust res", """
The Association welcomes the plan's recognition that the Met must look like the city it polices. Progress on recruitment of Black officers has been slow and retention is worse: Black officers are more likely to leave in their first two years and more likely to face misconduct proceedings.

We ask that the plan commits to independent analysis of disproportionality in internal discipline, to mentoring and progression schemes for ethnic minority officers, and to publishing workforce data by rank and ethnicity.

We also note that the uplift of 20,000 officers nationally offers a once-in-a-generation chance to change the make-up of the workforce. Recruitment volume must not come at the cost of diversity; the two can go together if the Met invests in outreach in the communities it most needs to reach.
""")

org("London Councils - response on behalf of the 33 London local authorities", "part res just", """
London Councils responds on behalf of the 32 boroughs and the City of London. Boroughs are key partners in delivering community safety, and we welcome the continued role of Community Safety Partnerships in the plan.

Boroughs would welcome more certainty about the London Crime Prevention Fund. The proposal to top-slice the fund for pan-London commissioning reduces the amount available for local priorities, and boroughs have asked for at least three-year allocations so they can commission with confidence. Boroughs' own budgets for community safety have fallen by over a third since 2010.

We support closer data sharing between the Met, boroughs and health partners, and ask MOPAC to broker a London-wide information sharing agreement. We also support the devolution of further justice powers to London, in particular for probation and youth justice, so that local services can be joined up around offenders and their families.
""")

org("Children's Society London - response", "expl just", """
The Children's Society works with young people who are at risk of or experiencing criminal and sexual exploitation. We welcome the draft plan's priority on protecting people from exploitation and harm.

Children groomed into county lines are too often treated as offenders rather than as victims. We continue to see children arrested in trap houses far from home, charged with possession with intent to supply, and returned to the same situation without any safeguarding response. The plan should commit the Met to a child-first approach, and to using the National Referral Mechanism consistently for children who have been trafficked.

Youth justice services and the police should work together on diversion. When a child's offending is a result of exploitation, prosecution is rarely in the public interest. We would also like to see more training for officers in recognising grooming, both on the street and online.
""")

org("Tower Hamlets Community Safety Partnership", "part drugs asb viol", """
The Tower Hamlets Community Safety Partnership, bringing together the council, police, health, probation and the fire brigade, agreed this response at its board meeting.

Our strategic assessment identifies drug-related anti-social behaviour as the top concern for residents. Open drug markets around Whitechapel and in parts of Poplar attract users and dealers from across East London, and the associated disorder, needles in stairwells and intimidation affect whole estates. We are investing in treatment and outreach through our public health team, but enforcement and treatment must go hand in hand.

We also see links between the drug market and violence between rival groups. We ask that MOPAC supports partnership problem-solving at borough level, including joint tasking between council enforcement officers and neighbourhood police, and shared analysts.
""")

org("The Havens - sexual assault referral centres", "viol vict just res", """
The Havens provide forensic medical examinations, crisis support and follow-up care to people who have been raped or sexually assaulted in London.

The number of people attending the Havens has risen, but the proportion of reported rapes leading to a charge remains shockingly low. Survivors tell us they feel disbelieved and that the investigation intrudes into every part of their lives, including their phones and their counselling notes. Many withdraw before a charging decision is made.

We ask that the plan funds Independent Sexual Violence Advisers to meet demand, with guaranteed funding beyond the current year, and that it sets out how the Met and the CPS will improve the charge rate for rape. Waiting two years for a trial is not justice for anyone.
""")

org("Camden Town Unlimited (BID)", "burg asb np part", """
Camden Town Unlimited represents businesses in Camden Town and Euston. Our members employ around 12,000 people.

Phone snatching by moped riders and pickpocketing around the market and the tube station are constant. Tourists are targeted, and businesses lose custom when visitors feel unsafe. Retailers report organised shoplifting gangs who come back week after week. Street drinking and rough sleeping around the canal also cause problems for our members, with aggressive begging and litter.

We want to see the town centre policing team returned to full strength and officers on foot patrol in the evenings. Our own security patrols share intelligence with police through a radio link, and we would like that partnership formalised.
""")

org("Hammersmith & Fulham Disability Forum", "viol vict trust", """
Our forum represents disabled residents of the borough. Disabled people experience hate crime at high rates, but most incidents are never reported. Members described being spat at, having their mobility scooters damaged, and being called names on buses.

When members do report, their experience is often poor. Officers do not always communicate in accessible ways; British Sign Language interpreters are not arranged; people with learning disabilities are not believed. Several members told us they would not bother reporting again.

We ask that the plan includes disability hate crime alongside other forms of hate crime, that victims are offered support that meets their access needs, and that the Met involves disabled people in training its officers.
""")

org("Response from the London Borough of Barnet", "np res part burg", """
Barnet Council has the largest population of any London borough, and residents consistently tell us that burglary and visible policing are their top concerns.

Burglary rates in the west of the borough rose last year. Residents are frustrated that officers do not attend many burglaries, and that forensic officers arrive days later if at all. The perceived absence of police on the streets adds to their sense of insecurity.

We are concerned by the closure of front counters and by the sale of police buildings in the borough. We understand the financial pressures on the Met, but residents need a place to go. We ask that MOPAC commits to at least one 24-hour front counter per borough.

We welcome joint work with the police on our Safer Communities Partnership and would like to see more co-located teams dealing with problem locations.
""")

org("Westminster Faith Exchange", "viol trust part", """
The Westminster Faith Exchange brings together leaders of churches, mosques, synagogues, temples and gurdwaras in the City of Westminster.

Hate crime against our communities has increased, especially antisemitic and anti-Muslim incidents after events overseas. We are grateful for the work of the police in protecting places of worship during major festivals. We would welcome a standing arrangement for security advice and patrols at sensitive times, and clear information on how to report.

We are also anxious about the risk of radicalisation of young people online, and would like to work with the police and the council's Prevent team in a way that builds trust rather than suspicion. Faith communities can be powerful partners if they are treated as such.
""")

org("Croydon Safer Neighbourhood Board", "np trust res", """
Croydon SNB welcomes the consultation. Our main points are these.

First, ward officers. Croydon has lost ward officers to the response teams of the merged South BCU. Residents say they do not see police in their area and do not know who to contact. We ask that dedicated ward officers stay in wards.

Second, confidence. Public confidence in Croydon has fallen below the London average. Our independent stop and search monitoring group has found that the proportion of searches leading to an arrest is low, and we ask that the plan commits to better quality searches rather than more searches.

Third, resources. We recognise that the Met has had to find hundreds of millions of pounds of savings. But the closure of Croydon's front counters and the sale of police stations in the south of the borough mean that policing has been withdrawn from our communities.
""")

org("Women's Aid London network - response", "viol vict part res", """
The network of women's aid services in London supports women and children who have experienced domestic abuse.

Demand has risen sharply since the first lockdown. Calls to our helplines doubled and refuge vacancies are now rare. Women with no recourse to public funds are particularly at risk because they cannot access most refuges.

We urge the plan to fund specialist services led by and for Black and minoritised women, and to commission services jointly with boroughs and health so that a woman does not have to go through three assessments to get support. Multi-agency risk assessment conferences are overloaded and the plan should resource them properly.
""")

org("Enfield Youth Offending Service", "just expl part", """
Enfield Youth Offending Service works with children aged 10 to 17 who have offended. We respond as a partner in the local youth justice system.

Many of the children we work with have been exploited by older people, either to carry drugs or to hold weapons. Court processes for children are slow; a child can wait a year from arrest to sentence, which makes it hard to link the consequence to the offence and undermines rehabilitation.

We would like the plan to support out-of-court disposals and diversion schemes, which reduce reoffending, and to strengthen the link between police, schools, children's social care and the youth offending team through information sharing. Transitions from youth to adult probation also need attention.
""")

org("Brent Council response", "viol expl trust part res", """
Brent Council welcomes the draft plan and its emphasis on violence reduction. Brent has one of the highest rates of serious youth violence in London, and gang-related shootings in Harlesden and Stonebridge have devastated families.

Our approach, through the Brent Violence and Vulnerability Board, is to intervene early with children at risk of exploitation. We work with local schools and the police to identify those being groomed by gangs, and we have run a contextual safeguarding pilot on two estates.

We are concerned that the level of trust between Black residents and police remains low. Stop and search is a recurring complaint at our community meetings.

We urge MOPAC to provide stable, multi-year funding for these programmes rather than short-term grants that end just as they begin to work.
""")

org("The Kingston Residents' Association", "burg np", """
Our residents' association covers about 1,200 households in north Kingston.

In the last year members have reported a string of burglaries, several catalytic converters cut from cars on driveways, and vans broken into for tools. Elderly residents in particular are frightened. When crimes are reported, people receive a crime reference number and no visit.

We would like to see more police patrolling our roads at night, and a named officer who attends our AGM and updates us on what is being done. We used to have this and it was valued.
""")

org("Mind in Haringey - response", "expl part trust", """
Mind in Haringey supports adults experiencing mental distress. We respond because our clients come into contact with the police frequently, and not always safely.

People with mental health problems are at greater risk of being exploited: 'cuckooing', where a dealer takes over a vulnerable adult's flat, is a real problem in our borough. We would like the police and adult social care to share information quickly so that vulnerable adults are safeguarded before harm is done.

We also note the concerns of our clients about the use of force, including restraint and Taser, during mental health crises. The plan should commit to training and to joint working with the NHS mental health trust so that officers are not left as the only responders.
""")

org("Bexley Neighbourhood Watch Association", "burg np asb part", """
The Bexley Neighbourhood Watch Association has some 400 co-ordinators across the borough.

Our members' chief concerns are burglary, theft from vehicles and a growing problem of youths on off-road bikes tearing across parks. Members are willing to help, and we already circulate crime alerts. But for Neighbourhood Watch to work, we need the police to tell us what is happening and to respond when we report.

We ask that the plan recognises watch schemes as partners in community safety and funds a co-ordinator post in each BCU. We also ask for faster responses to calls about crimes in progress; our members have waited hours.
""")

org("London Youth - network of youth organisations", "viol trust part res", """
London Youth is a network of more than 500 community youth organisations. Our members see every day how violence affects young people and how much difference a trusted adult can make.

Youth services in London have lost over half of their funding in a decade. Youth clubs have closed, and young people tell us they have nowhere to go and nothing to do. We believe the plan should recognise youth work as violence prevention, and fund it accordingly through the VRU.

We also want the police to engage with youth organisations, not just when there is trouble. Young people's confidence in the police depends on officers who know them and treat them with respect. Our members would welcome joint work with safer schools officers.
""")

org("City of London Corporation - Police Committee", "part res", """
The Police Committee of the City of London Corporation notes the draft plan. Although the City of London Police is not under the Mayor's oversight, our forces work closely together and we welcome the emphasis on collaboration.

We would encourage MOPAC to continue joint work on fraud and cyber crime, where the City force leads nationally, and to share intelligence systems. We also note the financial pressures facing both forces and support a joint case to government for London's national and capital city functions to be properly funded.
""")

org("Greenwich Safer Neighbourhood Board", "np trust vict", """
Greenwich SNB agreed the following response.

Neighbourhood policing: residents want ward officers they know. Abstraction of dedicated ward officers has grown since the BCU merger and contact with ward panels has suffered.

Public confidence: our surveys show that confidence is lowest among young people and residents of Black Caribbean heritage. We ask for a stronger role for community monitoring of stop and search and use of force, including access to body-worn video.

Victims: victims of crime tell our board that they are not kept updated. The Met's own satisfaction surveys show this. A simple phone call to explain what is happening would make a great difference.
""")

org("Ealing Council response to the draft plan", "drugs asb np part res", """
Ealing Council's cabinet member for community safety submits this response.

Drug dealing is the issue our residents raise most often with councillors, followed by anti-social behaviour in parks and town centres. In Southall and Acton residents see dealing in broad daylight, with users injecting in alleys and leaving paraphernalia behind.

We have introduced a Public Spaces Protection Order to tackle street drinking and we fund additional police officers through a council-funded tasking team. We would like MOPAC to recognise this local investment and to ensure that the borough's neighbourhood teams are not drawn away to other duties.

We ask for closer integration of drug treatment services with the police, so that people arrested for drug offences are referred to treatment rather than being released back onto the street.
""")

org("Croydon BME Forum - response", "trust viol just", """
The Croydon BME Forum represents more than 80 black and minority ethnic community organisations.

Our members are deeply concerned about disproportionality in stop and search, the use of Taser and restraint, and the over-representation of Black young people in the criminal justice system. The over-policing of our young people sits alongside a failure to protect them: the same young people are victims of violence, yet feel unable to seek help from police.

We ask that the plan commits to a clear target to reduce disproportionality and to an independent review of the Met's use of force against Black Londoners.
""")

org("Richmond Council - submission", "burg asb np", """
Richmond upon Thames is one of London's safest boroughs, but our residents' concerns should not be overlooked.

The number of residential burglaries and thefts of bicycles in the borough has risen. Residents in Twickenham and Whitton report anti-social behaviour by groups of young people near the riverside, including noise and damage to benches and planters.

Residents value the neighbourhood policing model and want to see their ward officers on the streets. We ask that the plan protects neighbourhood teams in outer boroughs as well as inner ones; the BCU structure has meant officers being taken from Richmond to cover Hounslow and Kingston.
""")

org("Safer London - response", "expl viol part", """
Safer London is a charity that supports young people affected by violence and exploitation.

We welcome the plan's focus on exploitation. In our work we see children as young as eleven recruited into county lines and girls sexually exploited by gang-affiliated men. Exploitation rarely respects borough boundaries, and responses must be coordinated across London.

We recommend that the plan commits to a pan-London approach to contextual safeguarding, and to joint commissioning of specialist support for exploited young people with the boroughs and health. We would also like to see a focus on the online grooming of children, which increased during lockdown.
""")

org("The Met Police Federation (London region)", "res np", """
The Federation represents rank-and-file officers in the Metropolitan Police.

Our members are stretched beyond what is safe. After a decade of austerity the Met lost thousands of officers and police staff, and although numbers are now rising, the new recruits are inexperienced and need supervision. Response teams regularly go out below minimum strength, and neighbourhood officers are routinely pulled off their duties to fill gaps.

We ask that the plan is honest about the resources needed to police London properly, and that the Mayor and government fund the Met to do so. Officer wellbeing must be part of the plan.
""")

org("Kensington and Chelsea Council", "asb np part burg", """
The Royal Borough welcomes the draft plan.

Our residents' main concerns are moped-enabled robbery, theft of expensive watches in the street, and anti-social behaviour, including noise from supercars and late-night disorder around licensed premises. Residents also raise concerns about aggressive begging.

We fund additional police officers under a partnership agreement and value the visibility this gives. We ask that the Met continues to support such arrangements and that the local command ensures the officers remain in the borough.
""")

org("Haringey Independent Advisory Group", "trust", """
Our Independent Advisory Group advises the borough command on the impact of policing on communities.

Trust between the police and Haringey's diverse communities remains fragile. The IAG is concerned about the transparency of policing decisions, particularly the use of Section 60 orders and dispersal zones. We ask that Section 60 authorisations are explained to the community at the time, and reviewed by independent community members afterwards.

We also recommend that community engagement be planned and resourced, not ad hoc. Community members should be involved in training new officers about the history and culture of the area.
""")

org("Redbridge Council - Community Safety", "viol burg drugs part", """
Redbridge Council agreed this response through its community safety partnership board.

Our data shows knife crime and robbery rising in Ilford town centre, much of it involving young people. There is also a growing market in cannabis and cocaine around transport hubs.

We invite MOPAC to work with us on a town centre plan that brings together the council's CCTV, licensing and enforcement teams with the police. Joint problem-solving has reduced crime at two hotspots already.
""")

org("Latin American Women's Rights Service", "viol vict expl trust res", """
LAWRS supports Latin American women in London, many of whom are migrants with insecure immigration status.

Women tell us they are afraid to report domestic abuse or sexual violence because they fear their information will be shared with Immigration Enforcement. This fear leaves them exposed to abusers and to labour exploitation, including modern slavery in cleaning and hospitality.

We ask the Mayor to adopt a firewall: victims must be able to report crime safely without fear of immigration consequences. Support services for migrant victims must be funded so they can access justice and safety.
""")

org("Lambeth Council - response", "trust viol part res expl", """
Lambeth Council's response is informed by our community safety strategy and by the Lambeth Made Safer programme.

Violence reduction remains our priority. We are working with partners to intervene early with children and families at risk, including those at risk of criminal exploitation. We are asking for sustained funding for this work, and for the VRU's money to be allocated in line with need.

We also recognise that the relationship between police and Lambeth's Black communities has been damaged over decades. We welcome the plan's commitment to trust and confidence and want it to include community-led scrutiny of policing.
""")

org("Hounslow Multi-Faith Forum", "viol trust", """
Our forum brings together faith groups in Hounslow. We have been troubled by hate incidents against Sikh and Muslim residents, including graffiti on a gurdwara and abuse in the street.

We would like the police to treat these incidents seriously and to keep communities informed. Faith leaders can help by encouraging reporting, but only if we see that reports are acted on. We would also welcome more officers from our communities in the local police.
""")

org("Bromley Council - community safety response", "asb burg res np", """
Bromley's residents expect a visible police presence and a quick response when crime happens.

Anti-social behaviour, particularly in parks and around shopping parades, and vehicle crime are our residents' priorities. Thefts of and from vans are common, and catalytic converter theft rose sharply.

As an outer London borough, Bromley receives a smaller share of police officers per head than inner boroughs. We ask that MOPAC reviews the formula by which officers are allocated, taking account of area and travel times, and that front counter closures are reversed where demand exists.
""")

org("Southall Black Sisters - response", "viol vict trust just res", """
Southall Black Sisters has supported Black and minority women facing gender-based violence for over forty years.

We see repeated failures by the police to respond to domestic abuse, honour-based violence and forced marriage. Women are turned away, or their cases dropped without explanation. Victims face racism and cultural stereotyping, and the justice process retraumatises them.

We ask for independent scrutiny of police responses to VAWG, a properly funded specialist sector, and a commitment that the Met's culture will be addressed. Perpetrators within the police must be held to account.
""")

org("Waltham Forest Council response", "expl part viol res", """
Waltham Forest is proud of its Community Safety Partnership and the joint working we have developed with the police.

Our priority is safeguarding young people from exploitation. We run a Multi-Agency Child Exploitation panel and share information between schools, social care and police weekly. We ask that the plan supports such models and provides the funding needed to sustain them.

We also want to see violence reduction funding targeted at the boroughs with the greatest need and sustained for at least three years.
""")

org("Harrow Safer Neighbourhood Board", "np burg", """
Harrow SNB reports that residents' concerns centre on burglary, vehicle crime and the absence of local officers. Harrow was merged with Barnet and Brent into one BCU, and residents perceive that officers are now drawn to incidents elsewhere.

We ask that the plan commits to keeping neighbourhood officers working in their own wards and to publish response times by borough, not only by BCU.
""")

org("The Trussell Trust - London Foodbanks Network", "-", """
Thank you for the invitation to contribute. The Trussell Trust supports a network of foodbanks in London. We do not have a view on the policing matters in the plan and will not be submitting a detailed response.

We would be grateful if you could add our policy team to your mailing list for future consultations on the cost of living and London's economic recovery.
""")

org("Wandsworth Council submission", "asb np burg res part", """
Wandsworth Council submits these comments on the plan.

Residents' priorities are burglary, robbery and anti-social behaviour. Council surveys show that the fear of moped crime and phone snatching remains high in Clapham Junction and Tooting.

The council funds a number of additional police officers through a partnership arrangement and a large CCTV network. We are concerned that changes to the Met's funding settlement may undermine these arrangements, and ask the Mayor to protect neighbourhood policing in the budget.
""")

org("Prison Reform Trust - London response", "just", """
The Prison Reform Trust welcomes MOPAC's interest in the criminal justice system.

We urge the plan to support effective community sentences, which have better reoffending outcomes than short prison sentences. Probation services in London have faced severe pressure since the failed privatisation, and the reunification must be supported with investment in local partnerships.

We also ask that the plan addresses the overrepresentation of young Black men in custody and the use of remand for children.
""")

org("Greater London Authority Conservatives - comments", "res np viol", """
Our group has reviewed the Mayor's draft Police and Crime Plan.

We note that the Mayor blames central government for reductions in police numbers, yet has chosen to close police stations and sell off the Met's estate. Londoners pay more council tax for policing than ever, yet see fewer officers on their streets.

The plan needs clear, measurable targets for reducing knife crime and homicide, and a commitment to increase the number of police on patrol.
""")

org("London Assembly Police and Crime Committee - response", "trust vict part res", """
The Police and Crime Committee has examined many of the issues in the plan over the past year.

We ask the Mayor to include measurable outcomes, so that the Committee can hold MOPAC to account. In particular, we want to see targets for victim satisfaction, public confidence by demographic group, and the time taken to investigate complaints.

We also recommend that MOPAC publishes how it commissions services, how grants are allocated to boroughs, and how much of the budget goes to each priority.
""")

org("Hackney Council - Community Safety", "asb drugs np part", """
Hackney Council's community safety team submits this response.

Residents in Hackney Central and Dalston report issues with street drinking, drug use and dealing, and late-night noise from the night-time economy. We use a range of tools including dispersal orders and public space protection orders, but these require police presence.

We ask for joint council and police tasking, with shared priorities set by ward panels, and for the Met to retain dedicated ward officers.
""")

org("Barking and Dagenham Council - response", "viol part expl res", """
Barking and Dagenham has the highest rate of domestic abuse in London. We have made tackling domestic abuse our priority through a commission that heard directly from survivors.

We want the plan to go further, by funding work with perpetrators and making sure every school has the training to spot children living with domestic abuse. Children who grow up with domestic violence are more vulnerable to exploitation and to becoming involved in violence themselves.

We work closely with the police and would welcome MOPAC co-commissioning services with us.
""")

org("Jewish community security - submission", "viol trust part", """
Our organisation works with the Metropolitan Police to protect Jewish communities in London.

Antisemitic hate crime reached record levels this year. We greatly value our partnership with the police and would like to see continued joint patrols and information sharing. Victims of antisemitic incidents must feel confident that reporting will lead to action.
""")

org("Southwark Pensioners' Action Group", "burg np vict", """
Our members are older people in Southwark. Many live alone and are afraid of crime, particularly doorstep fraud, distraction burglary and bag snatching.

Older people value a police officer they can recognise. We would like officers to attend our lunch clubs to give crime prevention advice, and we would like the police to keep older victims informed after they report, as many feel forgotten.
""")

org("Kilburn Tenants and Residents Association", "asb drugs np", """
Our TRA covers three blocks in Kilburn.

Our residents report persistent dealing in the car park, with cars pulling up day and night. Young men hang around the entrances, smoke weed and intimidate residents. Lifts have been vandalised repeatedly.

We have asked for police patrols and been told there are no officers available. Please can the plan make sure estates like ours are not forgotten.
""")

org("Sutton Council response", "np res part", """
Sutton Council notes that the London Borough of Sutton has seen the number of its police officers fall as a result of the merger into a BCU with Croydon and Bromley.

We want our police station to stay open, and we want ward officers based in the borough. The council will continue to work with the police as a partner but asks MOPAC for a fair allocation of officers to outer London.
""")

org("Tower Hamlets Youth Forum", "viol trust drugs burg", """
We are young people from Tower Hamlets. We want the police and Mayor to know what it is like growing up here.

Lots of young people feel unsafe because of stabbings and robberies. Some young people get involved in selling drugs because they need money. When police stop young people they sometimes treat them badly, which makes young people not want to help them.

We want more youth centres and more chances to talk to police in a normal way.
""")

org("Shelter London - response", "-", """
Shelter London works with families facing homelessness and poor housing. Our advisers represent tenants in the county court and at housing tribunals, and much of our work this year has been with families facing eviction after the end of the ban on possession hearings.

We have no comments on the policing aspects of the plan. We would ask the GLA to continue to fund independent housing advice and the duty desk at the housing court, which helps families keep their homes.
""")

org("Muslim Council of London - response", "trust viol part", """
We represent mosques and Muslim organisations across the capital.

Islamophobic hate crime remains high and we welcome police work to protect places of worship. However, the Prevent programme continues to damage trust. Muslim families feel they are treated as suspects.

We ask for a genuine partnership between the Met and Muslim communities, in which our communities are consulted on counter-terrorism policing, rather than it being done to us.
""")

org("London Probation Region - response", "just part", """
The London Probation Region is responsible for managing adult offenders in the community.

Integrated Offender Management in London has shown strong results in reducing reoffending among prolific offenders. We would like the plan to continue to support this partnership with the police, and to align it with the new probation model.

We would also welcome joint work on accommodation for people leaving prison, since homelessness on release is a strong predictor of reoffending.
""")

org("Hillingdon Council - response", "asb np res", """
Hillingdon residents are concerned about unauthorised encampments, fly-tipping, and speeding on residential roads, all of which damage quality of life.

We ask that neighbourhood policing teams are available to deal with these issues together with our enforcement officers. We note that Hillingdon, including Heathrow, has a large policing demand, and we ask that the allocation of officers reflects this.
""")

org("London Cycling Campaign", "burg", """
Bicycle theft is a serious problem across London, with tens of thousands of bikes stolen each year and very few recovered. Many people give up cycling after their bike is stolen.

We ask the Met to treat cycle theft seriously, to record and investigate it, and to work with manufacturers and retailers on security marking. A London-wide register of stolen bikes would help.
""")

org("Age UK London - submission", "vict burg trust", """
Age UK London is concerned about crime against older Londoners, particularly fraud, scams and distraction burglaries.

Older victims experience significant harm and often lose confidence. Many do not report because they feel embarrassed or do not think the police will act. We ask that the plan ensures older victims receive support tailored to their needs and that the Met works with banks on fraud prevention.
""")

org("The Mosaic Youth Project, Peckham", "viol expl trust", """
We run a youth project in Peckham for young people aged 11 to 19.

The young people we see live with violence. Many know someone who has been stabbed. Older boys try to recruit younger ones to run drugs, with promises of money and trainers, and those that refuse may be threatened.

Young people told us they do not call the police because they fear being labelled as a snitch and because they do not believe police will protect them. Officers who came to our sessions and played football with young people were respected; those who stopped them in the street were not.
""")

org("National Youth Theatre - response", "-", """
Thank you for contacting us. National Youth Theatre runs programmes across London for young people aged 14 to 25. We do not intend to respond to this consultation as the matters it covers are outside our remit.

We wish you well with your work and would be happy to hear about future opportunities to collaborate on arts and culture programmes.
""")

org("City of Westminster - Licensing and Community Safety", "asb viol np part", """
Westminster's night-time economy brings in millions of visitors each year.

Alcohol-related violence, sexual harassment of women on nights out, and anti-social behaviour in the West End are serious problems. We work with the police, the BID and venues on the Safe Space scheme, providing a place for vulnerable people.

We ask the plan to recognise the unique demands on policing in the West End and to continue the dedicated West End team.
""")

org("Merton Safer Neighbourhood Board", "np trust", """
Merton SNB's ward panels report that residents feel police visibility has declined. Panel chairs report meetings without any officer attending.

The SNB also monitors stop and search in Merton. Our data suggests that the use of stop and search has increased with no significant increase in arrests, and that searches remain disproportionately targeted at young Black men. We would welcome greater transparency.
""")

org("Rape Crisis London - response", "viol vict just res", """
Rape Crisis centres across London provide specialist support to women and girls who have experienced sexual violence.

Rape survivors face long waits for trial and invasive demands for personal records. Many withdraw from the process. We urge the plan to fund specialist support, including counselling and ISVAs, and to work with the CPS and courts to reduce delays.
""")

org("Newham Council - response", "viol expl drugs part res", """
Newham Council submits this response to the draft plan.

Serious violence, including knife crime and gun crime, is a top priority. We are also concerned about the growing number of children being drawn into criminal exploitation through county lines, and the way drug markets fuel violence.

We have invested council money in a community safety enforcement team. We ask MOPAC to match this with funding for diversionary activities and for drug treatment, and to continue the partnership with the VRU.
""")

org("Lewisham Refugee and Migrant Network", "expl vict trust", """
Our network supports refugees, asylum seekers and migrants.

We see people who have been trafficked into forced labour, including in car washes and nail bars, who are afraid to come forward. They need to be recognised as victims of modern slavery, and supported through the National Referral Mechanism, not treated as immigration offenders.

We ask that the police build trust with migrant communities and that victims are supported to report.
""")

org("Camden Council response", "trust part expl", """
Camden Council supports the plan's emphasis on trust and confidence.

We ask the Met to work with us on engaging young people and parents, particularly in communities where confidence is low. We run a youth safety taskforce that brought together young people, parents, schools and police, and it has been effective in identifying concerns.

We would also welcome the plan's focus on exploitation, including child sexual exploitation online, and joint work through our safeguarding partnership.
""")

org("Charlton Athletic Community Trust", "viol trust part res", """
The Charlton Athletic Community Trust runs football and education programmes for young people in Greenwich and Bexley, including a knife crime prevention programme in schools.

We have seen how mentoring and sport can divert young people from violence. We work with the police on joint sessions that build relationships between young people and officers.

We ask the plan to fund community organisations doing this work.
""")

org("Havering Council - community safety", "asb burg np", """
Havering residents' concerns are anti-social behaviour, burglary and vehicle crime, including theft of catalytic converters and number plates.

Residents feel that the police do not have the presence they once did. Havering is part of a BCU with Barking and Dagenham and Redbridge, and residents want officers to be visible in Havering.
""")

org("Lambeth Safer Neighbourhood Board", "trust np vict", """
Lambeth SNB welcomes the consultation.

We have consistently raised the lack of trust between Lambeth's Black communities and the police. Our stop and search monitoring group reviews body-worn video footage and has found cases in which officers' conduct was unacceptable.

We also want better support for victims of crime, who tell us they are not kept informed of the progress of their case. And we want local officers in every ward, visible and known to residents.
""")

org("Barnardo's London - response", "expl vict part", """
Barnardo's supports children and young people who have been sexually exploited or trafficked.

We urge the plan to ensure that exploited children receive specialist support as victims, including through the Child House model for sexually abused children. Police, health and children's services must share information to safeguard children.
""")

org("Southwark Law Centre - response", "just vict", """
Southwark Law Centre provides free legal advice. We respond on the criminal justice aspects of the plan.

The backlog in the Crown Court has left defendants on remand for over a year and victims waiting for justice. We ask MOPAC to lobby for more sitting days and to support early legal advice. Victims and defendants alike deserve prompt justice.
""")

org("Hackney Quest youth charity", "viol expl trust part", """
Hackney Quest works with young people in Hackney Wick and Homerton.

Our youth workers see young people being groomed into criminal exploitation and exposed to serious violence. We work closely with schools and families. We believe the police should work with youth workers rather than over-riding them.

We also want the police to improve relationships with young people: many told us of bad experiences of stop and search.
""")

org("Greenwich Council response", "viol part res", """
Greenwich Council supports the Mayor's priority on violence. Our violence reduction strategy focuses on early intervention and on families, schools and communities.

We ask MOPAC to provide stable funding and to avoid top-slicing borough funds. Our ability to plan depends on knowing how much we will receive over several years.
""")

org("Brixton Mosque and Islamic Cultural Centre", "trust viol", """
The Mosque committee wishes to highlight that Muslim youths in Brixton face frequent stops by the police and feel targeted. This damages confidence. At the same time, our community has experienced Islamophobic abuse and attacks and needs protection from hate crime.
""")

org("Victims' Commissioner for London (office) - comments", "vict just", """
The Victims' Commissioner's office welcomes the plan's commitment to improving the experience of victims.

We recommend that the plan commits to monitoring Victims' Code compliance across all agencies, including the courts and the CPS, and that MOPAC publishes regular reports on victims' experience of the justice system. Delays at court are a key driver of victim attrition.
""")

org("Enfield Council - response", "viol expl part", """
Enfield Council notes that violence in the borough, including knife crime and gang-related shootings, remains a serious concern. We are working with partners to address the root causes.

We also see exploitation of young people by gangs operating county lines into Hertfordshire and Essex. We ask for cross-border partnership with neighbouring police forces.
""")

org("Chinese Information and Advice Centre", "viol vict trust", """
During the pandemic there was a significant rise in hate crime against East and South East Asian people in London. Many of the people we support did not report because of language barriers and lack of confidence that the police would act.

We ask that the Met provides interpreters and works with community organisations to encourage reporting, and that victims of hate crime receive culturally appropriate support.
""")

org("Friends of Finsbury Park", "asb", """
Our friends group works to keep Finsbury Park a pleasant place for everyone. This summer we saw a rise in litter, broken glass, late-night parties with loud music and damage to trees and benches. Some evenings the park felt unsafe to walk through.

We would like the council and police to agree a plan for the park before next summer.
""")

org("Hounslow Council - response", "viol drugs part np", """
Hounslow Council supports the Mayor's priorities. We are concerned about an increase in knife crime and in drug dealing around Hounslow town centre, and would like joint enforcement with the police, plus outreach to users to get them into treatment. We also ask that the town centre team is kept at full strength.
""")

org("Kingston University Students' Union", "viol trust", """
The Students' Union surveyed students on their safety. Female students reported harassment and spiking on nights out, and many did not report because they did not think police would take it seriously.

We ask the plan to address violence against women and girls in the night-time economy and to rebuild the confidence of young women that reports will be acted upon.
""")

org("Thamesmead Residents Forum", "asb np burg", """
Thamesmead residents feel forgotten. There is little police presence and we have problems with off-road bikes, car break-ins and groups of youths gathering by the lakes. We want a police team that is based here and known to us.
""")

org("Sutton Neighbourhood Watch", "burg np", """
Our members report that car crime and shed break-ins are the most common crimes in our area. We want faster response and officers who follow up, so residents feel it is worth reporting.
""")

org("Haringey Council - response", "trust expl viol part", """
Haringey Council welcomes the opportunity to respond. Trust between the police and our communities has been damaged and must be rebuilt through transparency and engagement. We also prioritise tackling serious youth violence and protecting young people from exploitation, through our Young Haringey Safe strategy, in partnership with the police and the voluntary sector.
""")

org("London Fire Brigade - Community Safety", "part asb", """
LFB's community safety team welcomes joint working with the Met and boroughs. Deliberate fires, including bins and vehicles set alight, are linked with wider anti-social behaviour, and we are keen to share data with police and councils to target prevention.
""")

org("Wandsworth Older People's Forum", "np vict", """
Older residents tell us they feel there are no police around and that they are nervous when going out. Those who have been victims of crime say they were not contacted after reporting. We ask for a named local officer and for support for older victims.
""")

# ---------------------------------------------------------------------------
# Individuals: one to six lines, informal, some misspelt, angry or in slang.
# ---------------------------------------------------------------------------

ind("police", "np", """
nobody ever sees a copper round here anymore. used to be a bobby on the beat, now nothing
""")

ind("Re: consultation", "np", """
I rang 101 three times last week about a car alarm thats been going for two days and no one answers 101. Gave up after 40 mins on hold.
""")

ind("my view", "burg vict", """
Had my shed broken into and two bikes taken. Reported it online, got a crime number and never heard another thing. Whats the point.
""")

ind("stabbing near school", "viol", """
Another kid stabbed outside the chicken shop on the high st last friday, 15 years old. My son goes to that school. Something has to be done about knives, I'm terrified every time he walks home.
""")

ind("drugs", "drugs", """
dealers on the corner of our road every night, cars pull up, swap, drive off. everybody knows. the whole street stinks of weed
""")

ind("feds", "trust", """
the feds stopped me 4 times this year walking home from work. never found nothing. they dont even say why. how am I meant to trust them
""")

ind("asb on estate", "asb", """
Kids on motorbikes doing wheelies round the estate til 2am, revving and screaming. Someones going to get killed. Theres also graffiti all over the new playground.
""")

ind("Police & Crime Plan", "vict", """
When I was mugged last year the officer who took my statement was lovely but then I never heard from anyone again. I didnt know if they caught him. Nobody told me anything. Victims should be kept updated.
""")

ind("moped muggers", "burg", """
moped muggers took my phone right out of my hand on Euston Road. second time this year. i dont even take my phone out now
""")

ind("county lines", "expl", """
My neighbours 14 year old keeps disappearing for days and comes back with new trainers and a phone. Older lads pick him up in a car. Im sure hes being used to carry stuff out of London. His mum is at her wits end.
""")

ind("Out of office", "-", """
Thank you for your email. I am out of the office until Monday 8 February with limited access to email. For urgent matters please contact the main office on 020 7946 0000.
""")

ind("unsubscribe", "-", """
please unsubscribe me from this list
""")

ind("courts", "just", """
My case has been waiting for a trial date for 18 months. The court keeps adjourning. How is that justice for anyone? The whole system is broken.
""")

ind("not happy", "res", """
They keep closing police stations and selling them off for flats. Our local station is now luxury apartments. Where is the money going?
""")

ind("consultation response", "part", """
The council and the police need to actually talk to each other. I reported the same problem to both and they each said it was the others job.
""")

ind("999", "np", """
Called 999 when someone was trying to get in next door and the police took an hour and a half to turn up. By then they were long gone.
""")

ind("old bill", "np trust", """
the old bill only show up round here when somethings already kicked off, then they treat everyone like a suspect. never see them just walking about talking to people
""")

ind("Re: Have your say", "asb", """
The fly tipping in our alley is disgusting. Mattresses, fridges, bags of rubbish. It has been there for three weeks and it's attracting rats. People dump it at night.
""")

ind("bin collections", "-", """
Our bins have not been collected for three weeks on Elm Grove. Who do I contact about this? The council website doesn't work.
""")

ind("paper copy", "-", """
Hello, please could you send me a paper copy of the consultation document as I do not use a computer. My address is on the envelope. Thank you.
""")

ind("Knife crime", "viol just", """
The sentences for carrying a knife are far too soft. Lads get caught twice, three times and walk out of court with a warning. No wonder they keep doing it.
""")

ind("domestic violence", "vict", """
I was in an abusive relationship for 6 years. When I finally called the police the officer was kind but I was passed between 4 different people and in the end I dropped it because I couldnt keep going over it. Women need one person to stick with them.
""")

ind("youth clubs", "viol res", """
Bring back youth clubs. They closed ours in 2014 to save money and since then theres been nothing for the young people to do except hang around and get into fights. Cuts cost lives.
""")

ind("speeding", "asb", """
Boy racers using our road as a race track every night. Speeding at 60 in a 20 zone with exhausts that sound like guns. It's only a matter of time before a child is hit.
""")

ind("road layout", "-", """
Why has the junction at the end of Park Road been changed? There is now no right turn and everyone has to go round the block. It's adding 10 minutes to my commute. Please reconsider.
""")

ind("Cannabis", "drugs", """
Cannabis smoke comes into my flat through the vents every evening from downstairs. I have asthma. Its illegal isnt it? Why does nobody do anything.
""")

ind("stop n search", "trust", """
Stop and search is just racial profiling. My brother got searched outside his own house. Rude, aggressive, no reason given. Thats why no one round here trusts the police.
""")

ind("bike theft", "burg", """
3 bikes nicked from outside my flat in 2 years, all locked. I've given up cycling to work.
""")

ind("Shoplifting", "burg np", """
I work in a supermarket in Peckham and the same blokes come in daily and fill bags with meat and booze and walk out. We ring police and they never come. Staff are scared.
""")

ind("the estate", "asb drugs np", """
the estate is a no go zone at night. lads in hoods on the stairs, smoking and dealing, piss in the lifts. we never see a police officer on foot. the council dont care either
""")

ind("Comments", "expl", """
Young girls from the local care home are being picked up by men in cars at night. Everyone can see it. Who is protecting these children?
""")

ind("Feedback", "viol", """
I'm a woman and I don't feel safe walking home after dark anymore. After what happened to Sarah Everard, I don't think many of us do. Harassment on the street is constant.
""")

ind("Police numbers", "res", """
We need more police officers, full stop. Thousands were cut under austerity and London has never recovered.
""")

ind("crime plan", "just", """
Probation is a shambles. The man who burgled my mum was out in weeks and reoffended within a month. Nobody was supervising him.
""")

ind("Bizzies", "np", """
Never see the bizzies round here unless theres a football match. Not once on our street in ten year.
""")

ind("my nan", "-", """
My nan needs her drug prescriptions delivered as she can't get to the chemist since her fall. The pharmacy says the council should help. Is that something you can sort out?
""")

ind("Trust?", "-", """
I was told by the hospital trust that my operation has been delayed again. Six months waiting now. I don't know who else to write to about this.
""")

ind("residents association budget", "-", """
Our residents' association would like to know if there is any funding available for summer events. Our budget this year is tiny and we want to put on a street party for the jubilee.
""")

ind("tennis court", "-", """
The tennis courts in Victoria Park are in a terrible state, the nets have been broken since spring and the surface is cracked. Can these be fixed before summer?
""")

ind("civil partnership", "-", """
Me and my partner are getting a civil partnership in June and wanted to know if the registry office at the town hall is open again. Sorry if this is the wrong email.
""")

ind("Hate crime", "vict trust", """
I'm gay and I was punched on the night bus while someone shouted slurs. The police didn't take it seriously at all, they told me to 'avoid that route'. I've lost all faith in them.
""")

ind("graffiti", "asb", """
Grafitti tags on every shop shutter on the parade. Nobody cleans it off and it makes the whole area look run down and unsafe.
""")

ind("catalytic converter", "burg", """
Woke up to a noise like a jet engine, someone had sawn the catalytic converter off my car in the driveway. Third one on the street this month.
""")

ind("the response", "np", """
We need police back on the beat. Not in cars, not on phones, actualy walking and talking to people. That's how you stop crime.
""")

ind("101", "np", """
101 is useless. I reported a suspicious vehicle and the call handler said someone would call me back. Nobody did.
""")

ind("re: police plan", "drugs just", """
Legalise it. We're wasting police time and court time on people with a bit of weed while real criminals get away with it.
""")

ind("Gangs", "viol", """
Theres gangs of lads with machetes in the park fighting over postcodes. My kids cant go to the park. Its like a war zone.
""")

ind("Trafficking", "expl", """
The nail bar on our high street has girls who don't speak English working 12 hours and sleeping upstairs. I think they are trafficked. I told the police and nothing happened.
""")

ind("what about victims", "vict just", """
As a victim of a serious assault I was made to feel like the criminal in court. Cross-examined for hours. The man got 18 months. I will never report anything again.
""")

ind("Response", "trust", """
How can we trust the Met when their own officers are sending racist messages and one of them murdered a woman? They need to clean house.
""")

ind("Help", "asb", """
My neighbour plays loud music until 4am every night. I've complained to the council five times. I'm at breaking point.
""")

ind("OOO: consultation", "-", """
I am on annual leave until 3rd March. Your message has not been forwarded. Regards, Priya
""")

ind("safe streets", "viol np", """
There was a shooting on our road on Sunday. Police cordon for two days and then gone. We need regular patrols, not just when someone gets shot.
""")

ind("partnership working", "part", """
I sit on my kids school governors and we have been trying to get a safer schools officer for a year. The police say the school should pay, the council say its the police. Meanwhile nothing.
""")

ind("CPS", "just vict", """
The CPS dropped my case against my ex the week before trial. Nobody explained why. I found out from a letter. After two years of waiting I feel completely let down.
""")

ind("knives", "viol", """
way too many youngers walking round shanked up. my cousin got stabbed in the leg for his jacket
""")

ind("dealers", "drugs expl", """
the dealers on our estate are using little kids as lookouts, they cant be more than 12. they give them phones and bikes
""")

ind("Plan", "res", """
The Mayor should stop wasting money on consultations and spend it on police officers.
""")

ind("Litter", "-", """
The litter on Wood Green high road is a disgrace. The council should put more bins out and empty them more often.
""")
ind("flat downstairs", "expl drugs", """
The old fella downstairs has got learning difficulties and a group of young men have basically moved into his flat. People in and out all night. I think they're selling from there. He looks terrified. Social services said they'd look into it weeks ago.
""")

ind("my daughter", "expl", """
my daughter is 13 and a man she met on a game has been messaging her asking for pictures. i found it by accident. who is meant to deal with this stuff, its happening to loads of kids
""")

ind("car", "burg", """
They took my car straight off the drive in the middle of the night, keyless. Police said it was probably in a container at Felixstowe by morning.
""")

ind("dont bother", "np trust", """
Dont bother ringing them mate, they dont come. And if they do they look at you like youre the problem.
""")

ind("Gear", "drugs", """
Lads selling gear out of the flat above the bookies, everyone knows, needles in the stairwell. My kids have to walk past that.
""")

ind("let out", "just", """
they arrested him, charged him, and he was let out on bail the same day and back on our street laughing at us. what kind of system is that
""")

ind("Opinion", "viol", """
Acid attacks, stabbings, shootings. London used to be safe. Not anymore.
""")

ind("The plan", "trust", """
I am a retired teacher. My former pupils, mostly Black boys, tell me how they are treated by officers and it breaks my heart. The police must earn back the respect of young people before they can ask for their help.
""")

ind("Rehab", "drugs", """
My brother is addicted to crack and heroin. Hes been arrested loads of times but never once offered proper treatment. Locking him up does nothing. He needs rehab.
""")

ind("nicked", "burg", """
got my wallet nicked on the tube and my card was used in 3 shops within the hour
""")

ind("Re: Police and Crime Plan 2021-25", "vict", """
I'd like to say thank you to the Victim Support volunteer who helped me after I was robbed. She rang me every week. Without her I don't know how I'd have coped. More of that please.
""")

ind("complaint", "trust", """
I made a complaint about an officer who pushed my elderly father to the ground. It took 14 months and the answer was 'no case to answer'. The system protects its own.
""")

ind("partnership", "part", """
The police, the council and the housing association all hold separate meetings about our estate and none of them share what they know. Get round one table.
""")

ind("kids", "viol trust", """
My son is 16 and Black. Ive had to teach him what to do when police stop him, because they will. And Ive had to teach him what to do if someone pulls a knife. Thats being a parent in London.
""")

ind("Noise", "asb", """
Moped delivery riders congregate outside our building until 3am revving engines and shouting. It's constant.
""")

ind("Tired", "asb np", """
Groups of teenagers throwing stones at buses on our route every evening. The drivers have started refusing to come down our road. Where are the police?
""")

ind("funding", "res part", """
Top-slicing the crime prevention fund just moves money from boroughs to City Hall. Let local councils decide how to spend it.
""")

ind("PCSOs", "np res", """
Our PCSO was brilliant, knew everyone by name. Then they cut the PCSOs and we never saw anyone again.
""")

ind("prisons", "just", """
Prisons are universities of crime. People go in for something small and come out connected to serious criminals. We need proper rehabilitation.
""")

ind("Consultation", "-", """
I'd like to respond but your survey won't load on my phone. Can you fix it please?
""")

ind("racism", "trust", """
Not one senior officer in our borough is from an ethnic minority. Until the Met looks like London, it won't have London's trust.
""")

ind("response from a resident", "viol", """
Terrorism is my biggest worry. After Westminster Bridge and London Bridge I avoid crowded places. I want to know what's being done.
""")

ind("Road closure", "-", """
The new low-traffic neighbourhood has pushed all the traffic onto our road. I have no objection to the aims but it has been badly planned. I would like a meeting with the council about the bollards.
""")

ind("cocaine", "drugs", """
Half the people in the pubs round here are on the charlie at weekends, its completely normal now. The toilets have lines on them.
""")

ind("gang", "expl viol", """
The gangs target kids in year 7, give them money and a phone, then they owe. That's how they get them. Once they're in, they can't get out without getting hurt.
""")

ind("police", "np", """
Police rarely patrol Thornton Heath. Our ward officer has changed five times in two years.
""")

ind("court delays", "just vict", """
My daughter was raped three years ago and the trial has been postponed four times. She is suicidal. This system is torturing victims.
""")

ind("My area", "asb drugs", """
Street drinkers outside Tesco every day from 10am. Shouting, fighting, peeing. Some of them are obviously on something too.
""")

ind("About the plan", "part", """
Schools, the NHS, youth services and police all see the same families but nobody joins the dots. Proper information sharing would save lives.
""")

ind("Thank you", "-", """
Thank you for sending this. I have read it and have nothing to add.
""")

ind("honest", "trust", """
Honestly? I don't trust the police. Not after what I've seen. They lie and they cover up.
""")

ind("victim", "vict", """
I reported a hate incident and the officer never called me back, the crime was closed without anyone speaking to me. I only found out when I got an automated text.
""")

ind("Burglary", "burg", """
Our house was burgled while we were on holiday. They took my late mums jewellery. I can't sleep properly anymore, I check the locks five times a night.
""")

ind("feedback", "np", """
Bring back the local police station's front desk. When you walk in there's a phone on the wall.
""")

ind("Scooters", "asb", """
Kids on e-scooters riding on the pavement at speed nearly knocking over old people. Nobody stops them.
""")

ind("safety", "viol", """
My daughter was spiked at a club in Shoreditch. She was lucky her friends got her home. Clubs need to do more and so do the police.
""")

ind("The Met", "res", """
The Met's budget has been cut by hundreds of millions in ten years. You can't do more with less forever.
""")

ind("county lines", "expl drugs", """
We live in a small town in Essex but the dealers are all from London. Local kids are being recruited too. The London police need to stop it at source.
""")

ind("Police station", "res np", """
Selling off our police station was a disgrace. Nearest one is now 5 miles away and it's not open at night.
""")

ind("Theft", "burg", """
Parcels stolen from my doorstep three times this month. Ring doorbell footage is clear as day. Police say there's not enough to go on.
""")

ind("Youth justice", "just", """
I work in a youth offending team. Kids wait too long for court. By the time they are sentenced, they've moved on or done something worse.
""")

ind("parents", "trust", """
Police should talk to parents more. When my son was stopped, nobody contacted me. I found out from his friends.
""")

ind("Hi", "-", """
Hi can you tell me how to register to vote in the mayoral elections? Thanks.
""")

ind("ASB", "asb", """
Kids kicking footballs against our windows, swearing at us when we ask them to stop, and setting fire to the bins. Antisocial behaviour is ruining our lives.
""")

ind("coppers", "np", """
coppers spend all day in the station or in cars. get them out walking
""")

ind("fed up", "drugs np", """
weed dealers on bikes going up and down our road in broad daylight. i've seen feds drive past and not even slow down
""")

ind("Modern slavery", "expl", """
I believe the car wash on the corner is using forced labour. The men look exhausted, don't speak English and are driven away in a van at night.
""")

ind("complaints", "trust", """
My complaint about an officer's conduct was investigated by his own colleagues. Of course it came to nothing. There needs to be an independent body.
""")

ind("women", "viol", """
Domestic abuse is at epidemic levels. One woman a week killed by a partner. We need a plan that actually stops it.
""")

ind("The Mayor", "res", """
The mayor should stop blaming the government. He controls the police budget and has wasted millions on consultants.
""")

ind("Witness", "vict just", """
I was a witness to a stabbing. I had to sit in the same waiting room as the defendant's family at the Old Bailey. I was terrified. Never again.
""")

ind("", "asb", """
fireworks every night for weeks going off in the street at midnight. my dog is traumatised
""")

ind("knife crime", "viol res", """
Knife crime went up when they cut the youth services. Not rocket science.
""")

ind("transport", "np", """
There's no police on the buses or the tube anymore at night. I used to see BTP at our station, now nothing.
""")

ind("drugs", "drugs", """
My neighbour's son overdosed last month. Treatment services have waiting lists of months. Something has to change.
""")

ind("bike", "burg np", """
my bike got nicked, i found it for sale on facebook, told police, they said go and get it yourself. unreal
""")

ind("Young people", "viol trust", """
Young people are more likely to be victims of violence than perpetrators but they are treated like suspects by police.
""")
ind("wot about us", "np asb", """
wot about us in dagenham, never see a police car let alone a officer walkin. kids runnin riot on the parade smashin bus shelters
""")

ind("PLEASE READ", "viol vict", """
MY SON WAS STABBED TO DEATH IN 2019. WE HAD A FAMILY LIAISON OFFICER FOR 3 MONTHS THEN NOTHING. NO ONE TELLS US ANYTHING ABOUT THE APPEAL. FAMILIES LIKE OURS ARE LEFT TO ROT. AND STILL THE KNIVES ARE EVERYWHERE.
""")

ind("re re re consultation", "-", """
Stop sending me these emails. I have asked three times to be taken off your mailing list.
""")

ind("Automatic reply: Police and Crime Plan consultation", "-", """
I am currently working from home and checking emails intermittently. If your query is urgent please call my mobile. Kind regards, Gareth Evans, Facilities Manager
""")

ind("Suggestion", "part", """
Why not have a police officer based in every secondary school, working with teachers and the local youth service? Joined up, not everyone in their own silo.
""")

ind("robbery", "burg", """
Robbed at knifepoint for my phone and headphones outside Clapham South at 7pm. I'm a grown man and I'm now scared to walk home.
""")

ind("lack of officers", "res np", """
There simply aren't enough officers. Recruit more and put them on the streets.
""")

ind("jails", "just", """
Lock em up and throw away the key. Community sentences are a joke, nobody does their hours.
""")

ind("Estate", "asb", """
Kids smashed every light on our landing. Been dark for a month. Council say it's vandalism and they won't fix it again till it stops.
""")

ind("questions", "trust", """
Why are police allowed to switch their body cameras off? Every stop should be filmed and the public should be able to see the figures.
""")

ind("Tyres slashed", "asb", """
Someone is going along our street slashing tyres and keying cars. Four houses hit this week.
""")

ind("Polish version", "-", """
Could you tell me whether the consultation documents are available in Polish? My mother would like to read them.
""")

ind("mums view", "expl trust", """
Schools should teach kids about online grooming, and police should come into schools to talk to parents about it. Most of us have no idea what our children are doing online.
""")

ind("Muggings", "burg", """
Mugging epidemic in Tottenham Hale. Three people I know have had phones snatched this year.
""")

ind("no one cares", "np vict", """
I waited 4 days for an officer to come about an assault on my son. When they did come they had lost the notes. Nobody keeps you informed.
""")

ind("Dealers in park", "drugs asb", """
Our local park has dealers by the benches and nitrous oxide canisters everywhere. Parents have stopped taking their kids.
""")

ind("response times", "np", """
It took the police 2 days to respond to my call. 2 days! What's the point of them.
""")

ind("a comment", "viol", """
Please do more on gun crime. Shots fired twice on our estate this summer and we all just carried on like it was normal.
""")

ind("partnerships", "part res", """
The Violence Reduction Unit funds loads of small projects for a year and then pulls the money. The voluntary groups can't plan. Give them three-year grants and work with them properly.
""")

ind("my experience", "trust", """
I was handcuffed in front of my children because I 'matched a description'. They let me go after twenty minutes without an apology. That is why people don't trust you.
""")

ind("community sentence", "just", """
My nephew did a community order and actually turned his life around thanks to a good probation officer. More of that please, not prison for everything.
""")

ind("neighbourhood", "np", """
We had a great ward sergeant who came to our residents meetings. He was moved to response and now there is nobody.
""")

ind("bins", "-", """
The communal bins at Park View have been overflowing since Christmas. Foxes everywhere. Please send someone.
""")

ind("thief", "burg", """
Somebody went through our car and took the satnav and sunglasses, door was locked. Whole street had the same.
""")

ind("Crime", "viol", """
Gangs of youths with balaclavas and zombie knives. It's like something from a film.
""")

ind("Court backlog", "just", """
The Crown Court backlog is a national scandal. The government closed half the courts and now wonders why there are delays.
""")

ind("advice", "vict", """
I was the victim of a burglary and the police gave me a leaflet. I needed someone to talk to. I didn't even know Victim Support existed until months later.
""")

ind("Pls help", "asb", """
pls can somone do somthing about the yoofs on the bikes on our green. Tearing up the grass, scarin the old folk, no helmets nothin
""")

ind("Im angry", "trust", """
im angry, police killed a man in our borough and nobody is held accountable. the family still has no answers
""")

ind("Trapped", "expl", """
My neighbour's lad, 15, has gone missing again. Police found him in Norfolk last time with drugs sewn into his jacket. He isn't a criminal, he's a child being used.
""")

ind("suggestion", "drugs", """
Put money into drug treatment not arrests. Every addict who gets clean is a dealer who loses a customer.
""")

ind("kids safety", "viol", """
My son was chased home by a group with knives. He's 13. He now refuses to go to school.
""")

ind("rubbish", "asb", """
Fly tipping behind the garages every weekend, someone is running a business out of it. Builders waste, tyres, the lot.
""")

ind("Question about the plan", "res", """
How much of the police budget goes on officers and how much on buildings and IT? I'd like to see value for money.
""")

ind("Stop and Search", "trust", """
I support stop and search. It saves lives. But officers must be polite and explain themselves, which they mostly don't.
""")

ind("Online harm", "expl", """
Sextortion of teenage boys online is happening everywhere. My nephew was blackmailed. The police need specialist units for this.
""")

ind("probation", "just part", """
Probation and the police should share information about violent ex-partners. My sister's ex was out on licence and nobody told her.
""")

ind("Muggs", "burg", """
they ran off with my handbag on the high road, had my keys, purse, everything. had to change all my locks
""")

ind("the copper", "np", """
Nice to see a copper on a bike on Saturday in the park, first in years. More of that.
""")

ind("feeling unsafe", "asb burg", """
Between the moped thieves, the street drinkers and the kids setting bins on fire, our high street feels dangerous.
""")

ind("Abuse", "vict", """
Survivors should get counselling straight away and someone who stays with them through the whole process. I waited 9 months for counselling.
""")

ind("response", "trust", """
Recruit more women and more people of colour into the police. My daughter wanted to join but heard too many horror stories.
""")

ind("Comment", "res", """
Council tax for policing has gone up every year and I see less for it.
""")

ind("fraud", "burg", """
My dad lost £8,000 to a phone scam pretending to be his bank. Police said it was a matter for the bank.
""")

ind("Victims Code", "vict", """
I'd never heard of the Victims' Code until I looked it up. Police never offered me a victim personal statement. That's supposed to be my right.
""")

ind("CCTV", "part asb", """
Council turned off the CCTV cameras on our estate to save money. Within weeks vandalism rocketed. Police say they need the footage. Sort it out between you.
""")

ind("Gun", "viol", """
My cousin was shot dead in 2018. Nobody has been convicted. Guns are easier to get than ever.
""")

ind("Youth work", "viol res part", """
Funding for youth workers is violence prevention. Every pound cut from youth services costs ten in policing. Work with the youth sector.
""")

ind("sleep", "asb", """
Can't sleep for the motorbikes and the drunks outside the kebab shop. Every. Single. Night.
""")

ind("Not a complaint", "-", """
Is there a deadline for this consultation? I may want to send something in later but I'm moving house this month.
""")

ind("To whom it may concern", "-", """
To whom it may concern, I no longer live at this address. Please update your records.
""")

ind("dealers", "drugs np", """
There's dealing outside the primary school gates at home time. We've reported it loads. A police car came once.
""")

ind("comment", "expl", """
Cuckooing is rife in our block. Vulnerable tenants are having their flats taken over. The housing officer knows but can't do anything.
""")

ind("local officer", "np", """
I don't even know who our local officer is. There used to be a board in the library with their photo.
""")

ind("Feedback", "viol", """
Violence against women on public transport is constantly ignored. I've been groped twice on the Central line.
""")

ind("Sentencing", "just", """
Killers getting 12 years and out in 6. The justice system doesn't protect anyone. My friend's killer will be out before she'd have turned 30.
""")

ind("youth", "trust", """
We need officers going into youth clubs and playing football, not just turning up with dogs and vans.
""")

ind("drug", "drugs", """
Im a recovering addict 3 yrs clean. what helped me wasnt the police it was a treatment programme that got axed. bring it back
""")
ind("Nitrous", "drugs asb", """
Every morning the gutter outside our house is full of those silver laughing gas canisters. Kids sitting in cars inhaling balloons and blasting music.
""")

ind("probation officer", "just", """
I'm on probation and I've had 5 different probation officers in a year. Each one makes me tell my whole story again. How is that meant to help me go straight?
""")

ind("Support for families", "vict", """
When my husband was assaulted the police were good on the night but afterwards we were left on our own. Nobody explained what would happen next or how to claim compensation.
""")

ind("crack house", "drugs asb", """
There's a crack house two doors down. Fights at all hours, people screaming, used foil and needles in our front garden. The landlord doesn't care.
""")

ind("Youth offending", "just viol", """
Young people who carry knives need consequences but also help. Out of court disposals that include mentoring work better than a criminal record at 15.
""")

ind("Groomed", "expl", """
My niece was groomed by a man twice her age who got her working for him. Social services, police, the school all knew something was wrong and nobody acted till it was too late.
""")

ind("Re: survey", "np", """
Cant remember the last time i saw a bobby walking round Bellingham. Would make a big difference just to see them.
""")

ind("NHS trust", "part", """
The mental health trust and the police should be working together. Instead officers spend hours in A&E waiting with people in crisis because there's no joint plan.
""")

ind("rehab", "just", """
Short prison sentences don't work. People come out with no housing, no job, and end up back inside within a year. Invest in rehabilitation.
""")

ind("drug dealing", "drugs trust", """
I've seen the same dealers on the same corner for two years. Either the police are useless or someone's being paid off. Either way I've lost faith.
""")

ind("Safer routes", "viol", """
As a woman I want better lighting and safe routes home. I've been followed twice walking from Seven Sisters station and I'm fed up of being afraid.
""")

ind("Domestic abuse", "vict", """
There aren't enough refuge places. I rang every day for two weeks trying to get a space for me and my kids. We slept at a friend's in the end.
""")

ind("the court", "-", """
My case at the county court about my deposit has been delayed again. The landlord still hasn't paid back my £1,200 and the court says it could be another six months.
""")

ind("Budget", "-", """
Our allotment society has a tiny budget and we need a new shed lock and water butts. Can the Mayor's fund help with things like that?
""")

ind("Drug", "-", """
My mum is on a new drug for her Parkinson's and the GP says she can't drive anymore. Could you tell me how she applies for a Freedom Pass?
""")

ind("exploitation", "expl", """
Girls in care being placed in bed and breakfasts miles from home, where men prey on them. This is how child sexual exploitation happens. Safeguarding has completely failed.
""")

ind("gang violence", "viol part", """
Gang violence won't be solved by police alone. Schools, the council, health and community groups need to work together with them.
""")

ind("Respect", "trust", """
Police need to show respect to young people if they want respect back. Simple as that.
""")

ind("Feds", "drugs np", """
feds raided the flat upstairs, took the dealer, and a week later another one was in. they need to actually patrol here, not raid and vanish
""")

ind("moped thieves", "burg np", """
Moped thieves snatch phones every day on Oxford Street, I saw three in an hour. Where are the police?
""")

ind("Consultation response (personal)", "viol trust vict", """
I'm a 24-year-old woman. After Sarah Everard and the vigil on Clapham Common I don't feel safe with police either. If I was attacked I'm not sure I'd call them. The way they treat women who report rape is shameful.
""")

ind("county lines", "expl just", """
When kids caught up in county lines are prosecuted instead of protected, we just push them deeper in. The courts need to treat them as victims of trafficking.
""")

ind("victim support", "vict", """
Please keep funding victim services. After my attack the ISVA was the only reason I went through with it.
""")

ind("re: plan", "just", """
Reoffending rates are scandalous. The same names come up in the local paper over and over.
""")

ind("Not safe", "asb np", """
Groups drinking and fighting outside the station every weekend. No police around until it's too late.
""")

ind("MOPAC", "part", """
MOPAC should make the council and the police publish joint plans for every borough, so residents can see who is doing what.
""")

ind("teenagers", "expl", """
Teenagers are being exploited by gangs and it starts at the school gates. Safeguarding leads in schools need to be trained to spot it.
""")

ind("The buses", "viol np", """
My son was attacked on the 38 bus by a group of lads. No police on board, no one helped. There needs to be more officers on the transport network.
""")

ind("Hi there", "-", """
Hi there, I got a letter about this but I think it was meant for the previous tenant. Regards.
""")

ind("sentence", "just", """
Magistrates court gave my attacker a fine. A FINE. For breaking my jaw.
""")

ind("In my opinion", "res", """
Savings must be made somewhere but not by closing police stations. Cut the senior management instead.
""")

ind("about drugs", "drugs", """
Too many young people selling weed and thinking its harmless. Skunk is wrecking their heads. Education and treatment are needed, not just arrests.
""")

ind("Safeguarding", "expl part", """
Adult social care and the police need to share information on vulnerable adults who are being financially abused or exploited. My uncle lost his savings to a 'friend' who moved in.
""")

ind("Fear", "burg", """
Three burglaries on our street in a month, all while people were asleep upstairs. I don't feel safe in my own home.
""")

ind("Accountability", "trust", """
MOPAC needs to publish more data on use of force. Tasers used on children and people in mental health crisis. We need transparency.
""")

ind("My son", "viol expl", """
My son was stabbed by a boy who was being made to carry for an older gang. Both of them are victims of the men running it.
""")

ind("coppas", "np", """
coppas only come when its a big thing, small stuff they dont wanna know. gotta have a murder before you see em round here
""")

ind("witnessed", "np", """
I witnessed a fight and tried to report it online but the form kept crashing, then I rang 101 and gave up after 35 minutes.
""")

ind("Planning", "-", """
Regarding the planning application for the new flats on Station Road, I strongly object to the height of the building. Please pass this to the planning department.
""")

ind("Cuts", "res", """
Ten years of Tory cuts did this. The Met has fewer officers per head than in 2010.
""")

ind("the CPS", "just", """
The CPS is so overwhelmed it's dropping cases left and right. They need more lawyers.
""")

ind("drunk", "asb", """
Pub lets people drink outside till midnight and they scream and smash bottles on our street. Licensing should take it away.
""")

ind("Trust and confidence", "trust", """
I used to be proud of the police. Now I'm embarrassed. Too many scandals, too little accountability.
""")

ind("Violence", "viol", """
Honour-based violence and FGM are ignored because people are scared of being called racist. Girls need protecting.
""")

ind("help please", "vict", """
my mum was robbed and since then she doesnt go out, and no one has been round to check on her or tell her about any support. shes 82
""")

ind("Officers", "res", """
The 'uplift' officers are all 19 year olds straight out of training. Numbers are not the same as experience.
""")

ind("safer neighbourhood", "np part", """
Our ward panel used to meet every month with the police and the council's ASB officer. Now no police come. It's pointless without them.
""")

ind("dealers", "drugs expl", """
The dealers in our block are using a young mum's flat and paying her in gear. She's an addict herself. Nobody's helping her.
""")

ind("Plan feedback", "just part", """
Devolve justice to London. Let the Mayor run probation and the youth justice system so it can be joined up with policing.
""")

ind("Shop", "burg viol", """
My husband runs a corner shop. He's been threatened with a knife twice by shoplifters this year. He doesn't report any more.
""")

ind("out of office", "-", """
Out of office: I am away until 14 January. I will respond on my return.
""")

# ---------------------------------------------------------------------------
# Ids, split and output.
# ---------------------------------------------------------------------------


def assign_split(rows):
    """Stratified, deterministic 60/40 split.

    Each response falls in the stratum of its rarest theme (by count over the
    whole set; "-" for none). Within a stratum, responses are ordered by the
    SHA-256 of their id, and positions 1 and 3 of every 5 go to the held-out
    part, the rest to tuning. So every theme has tuning and held-out
    examples, and the split does not depend on the text or on the labels'
    order in the file.
    """
    count = {t: 0 for t in THEMES}
    for r in rows:
        for t in r["themes"]:
            count[t] += 1
    strata = {}
    for r in rows:
        key = min(r["themes"], key=lambda t: (count[t], THEMES.index(t))) \
            if r["themes"] else "-"
        strata.setdefault(key, []).append(r)
    for members in strata.values():
        members.sort(key=lambda r: hashlib.sha256(r["id"].encode()).hexdigest())
        for i, r in enumerate(members):
            r["split"] = "heldout" if i % 5 in (1, 3) else "tune"


# Respondent type: who the response is written for. It is the writing kind
# above for every response but these, read again one by one: the kind says
# how a response was written (a personal email), the respondent type who it
# speaks for (here a residents' association asking about its own budget).
RESPONDENT_TYPE = {
    "residents association budget": "organisation",
}


def main():
    for i, r in enumerate(R, 1):
        r["id"] = "d%04d" % i
    assign_split(R)
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                       "responses.jsonl")
    with open(out, "w", encoding="utf-8", newline="\n") as f:
        for r in R:
            row = {"id": r["id"], "kind": r["kind"],
                   "respondent_type": RESPONDENT_TYPE.get(r["subject"], r["kind"]),
                   "split": r["split"], "subject": r["subject"],
                   "text": r["text"], "themes": r["themes"]}
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    per = {s: {t: 0 for t in THEMES + ["-"]} for s in ("tune", "heldout")}
    for r in R:
        for t in r["themes"] or ["-"]:
            per[r["split"]][t] += 1
    n = {s: sum(1 for r in R if r["split"] == s) for s in per}
    sys.stdout.write("%d responses (%d organisations, %d individuals): "
                     "tune %d, heldout %d\n" % (
                         len(R), sum(r["kind"] == "organisation" for r in R),
                         sum(r["kind"] == "individual" for r in R),
                         n["tune"], n["heldout"]))
    sys.stdout.write("%-24s %5s %8s %6s\n" % ("theme", "tune", "heldout", "all"))
    for t in THEMES + ["-"]:
        sys.stdout.write("%-24s %5d %8d %6d\n" % (
            t if t != "-" else "(no theme)", per["tune"][t],
            per["heldout"][t], per["tune"][t] + per["heldout"][t]))


if __name__ == "__main__":
    main()
