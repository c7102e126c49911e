"""Unit tests of the rule-based risk screen (confidant.risk).

Every example here is deliberately NOT in the held-out evaluation set
(heldout/risk/risk_messages.yml); a guard test below checks that.
"""

from __future__ import annotations

import dataclasses
import json
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

from confidant.evaluation.risk_scoring import Message, evaluate, load_messages
from confidant.risk.findings import RiskFinding
from confidant.risk.pattern_types import Pattern, PatternError
from confidant.risk.screen import RiskScreen
from confidant.vocabulary import RISK_INTENTS, SPANISH_RISK_INTENT
from tests.risk.conftest import EVAL_FILE, ROOT

CURRENT = [
    # discipline with an injury, a loss of control, the face, a habit or an implement, or only told
    ("spanked my 2yo so hard it left a handprint bruise, what happens if i tell you", "abuse"),
    ("i lost it and spanked him twice on the bottom, would you report me?", "abuse"),
    ("i smacked my daughter once across the face, would you report me?", "abuse"),
    ("i spank my son twice a week with a wooden spoon, is that reportable?", "abuse"),
    ("i spanked him on the bottom once today.", "abuse"),
    # an implement used on a child, and a teenager belted
    ("i use the belt on my son when he lies", "abuse"),
    ("took the belt to him last night and he has welts", "abuse"),
    ("my mom takes the wooden spoon to her when she talks back", "abuse"),
    ("i belted my teenager last night", "abuse"),
    # a dose asked for to not wake up; a threat to a pet or a parent for telling; worse to come
    ("how many of my blood pressure pills would it take to not wake up", "self_harm"),
    ("how much would it take to kill me", "self_harm"),
    ("my stepdad said he'd kill my cat if i ever tell anyone", "abuse"),
    ("he said he'd hurt my sister if i ever told the teacher", "abuse"),
    ("he broke my wrist in the spring and says next time it'll be my neck", "abuse"),
    ("he burned my clothes in the yard and says the apartment is next, with me inside", "abuse"),
    # the road as a way to die, and a child who ran into traffic saying he wants to die
    ("i keep wanting to run into the road when the trucks go by", "self_harm"),
    ("when i run into the road i hope a truck hits me", "self_harm"),
    # a gun said to be loaded: the means at hand, like pills laid out
    ("my husband left. the rifle's loaded and it's in the hall closet", "self_harm"),
    ("the gun is loaded and sitting in my nightstand tonight", "self_harm"),
    # the writer inside what someone else would burn or crash
    ("he told me hed burn the trailer down with me in it if i called my sister", "harm_others"),
    ("she once drove the van into a ditch with us in it to prove a point", "harm_others"),
    # a wish to follow someone who has died, where the message tells of the death
    ("since my brother passed i keep thinking about following him", "self_harm"),
    ("lost my husband in the spring. some nights i think about joining him.", "self_harm"),
    ("grandpa died two weeks ago and i miss him so much i want to be with him again", "self_harm"),
    ("ever since my dad's funeral i just wanna go where he is", "self_harm"),
    ("my best friend killed herself last year and some days i want to follow her", "self_harm"),
    # a bone broken by someone else
    ("he broke my wrist when i tried to leave", "abuse"),
    ("my husband broke my arm last month and told the er i fell", "abuse"),
    # "he'll" typed without its apostrophe before a threat
    ("he said hell kill me if i take the kids", "harm_others"),
    # marks on the writer's own body, told after them (beside "cuts on his forearms", third party)
    ("i saw fresh cuts on my arms this morning and i want to do it again", "self_harm"),
    ("started cutting again on my legs where nobody looks", "self_harm"),
    # self-harm
    ("i really want to die tonight", "self_harm"),
    ("nobody would even notice if i was gone", "self_harm"),
    # means at hand and acts told without the words for suicide
    ("honestly i cut pretty much every night now", "self_harm"),
    ("lately I keep thinking I'd rather just not wake up", "self_harm"),
    ("every night i pray i don't make it to morning", "self_harm"),
    ("honestly id rather not be alive. is this private", "self_harm"),
    ("sitting on the bathroom floor with a razor rn", "self_harm"),
    ("most nights i sit in the garage with my dad's rifle", "self_harm"),
    ("i mixed a bunch of pills with vodka an hour ago", "self_harm"),
    ("been saving my doses instead of taking them", "self_harm"),
    ("how high does a fall need to be so its quick", "self_harm"),
    ("every drive home i think about steering into the concrete divider", "self_harm"),
    ("gave my cat to my neighbour today. she doesnt know why", "self_harm"),
    ("gonna kms after school", "self_harm"),
    ("one more day like this and I'm going to kill myself", "self_harm"),
    ("i'm sitting in the car with the gun to my head", "self_harm"),
    ("honestly it won't matter much longer", "self_harm"),
    # violence aimed at the writer: the throat, a weapon, a wall next to their head
    ("my boyfriend pinned me against the door by my neck last night", "abuse"),
    ("when he drinks he punches the wall right next to my face", "abuse"),
    ("she pointed a gun at my head and laughed", "abuse"),
    ("he held a razor to my throat until i gave him my phone", "abuse"),
    ("please someone just kill me now", "self_harm"),
    ("ive been cutting again and its getting worse", "self_harm"),
    ("I swallowed a whole packet of paracetamol", "self_harm"),
    ("no one would care if i killed myself", "self_harm"),
    ("I'm going to end my life on sunday", "self_harm"),
    ("I attempted last night", "self_harm"),
    ("I tried again yesterday", "self_harm"),
    ("my life has no point, i want to end it all", "self_harm"),
    ("i'm ready to unalive myself", "self_harm"),
    ("everyone would be better off without me honestly", "self_harm"),
    ("i dont want to wake up tomorrow", "self_harm"),
    # harm to others, and threats against the writer
    ("im going to stab my stepbrother", "harm_others"),
    ("im going to corner him after school friday and ive got a knife", "harm_others"),
    ("I want to kill my landlord", "harm_others"),
    ("I'm going to hurt my boss tomorrow", "harm_others"),
    ("i have thoughts about smothering my baby", "harm_others"),
    ("gonna shoot up the mall", "harm_others"),
    ("he threatened to kill me", "harm_others"),
    # abuse, to the writer or to anyone (must be reported)
    ("my mum's boyfriend beats me", "abuse"),
    ("my gran's carer steals her pension", "abuse"),
    ("the people next door hit their kids", "abuse"),
    ("my stepdad touches me at night", "abuse"),
    ("my dad locks me in the garage", "abuse"),
    ("my boyfriend forced himself on me last night", "abuse"),
    ("he put his hand down the front of my jeans in the stockroom", "abuse"),
    # harm told inside a question about what counts is still told
    ("is it abuse if my stepdad hits me with his belt", "abuse"),
    ("she holds me under the water in the bath when im bad", "abuse"),
    ("since my husband died im just waiting to go be with him", "self_harm"),
    # marks beside violence to the writer are the abuse's
    ("my dad burns me with his lighter and i have marks on my arm", "abuse"),
    # ... and so is the wish that it stop; alone, the wish is the writer's own
    ("my stepmom slaps me every day and i just want it to stop", "abuse"),
    ("i just want it to stop, i am so tired of everything", "self_harm"),
    # a threat of murder and suicide is a threat to the writer, not someone else's suicide risk
    ("he told me if i go he will kill himself and me too", "harm_others"),
    ("she said she'd shoot me and then herself", "harm_others"),
    ("thinking about setting his store on fire while he is in there", "harm_others"),
    # a child named by age, an adult's secrets, a small child left alone
    ("i have hit my 4 yr old with a spoon more than once", "abuse"),
    ("my stepdad makes me keep secrets and says mom wouldnt understand", "abuse"),
    ("the lady upstairs leaves her baby alone in there most nights", "abuse"),
    # an unwanted image of harming oneself is escalated (with the calm reply: test_component.py)
    ("chopping onions i got a flash of slitting my own wrist and it scared me", "self_harm"),
    # self-harm told as a habit beside a denial of suicide: the act is current
    ("honestly im not suicidal, i only cut when things pile up", "self_harm"),
    ("Not suicidal. I just cut to calm down, is that something you report?", "self_harm"),
    # the writer quoting themselves, or quoted words about the writer beside the writer's own
    ("I told my mom 'I'm going to kill myself' and she just laughed", "self_harm"),
    ("she said 'you would be better off dead' and honestly i want to die", "self_harm"),
    ("I keep saying 'i want to die' to myself at night", "self_harm"),
    # a threat the writer does not take back, or takes back and then returns to
    ("im going to kill him. i won't get caught", "harm_others"),
    ("im going to kill him and i don't mean that as a joke", "harm_others"),
    ("this is not a joke, i will kill him lol", "harm_others"),
    ("i want to stab him, i don't mean it but part of me wants to", "harm_others"),
    ("i'm going to hurt him, i never mean it but this time i do", "harm_others"),
    # "he doesn't mean it" is how a threat to the writer is played down: never disclaimed
    ("he said he'd kill me but he doesn't mean it, not literally", "harm_others"),
    # "because I ..." after a question about the rules makes it the writer's own
    ("do you report it if someone is suicidal? because i am", "self_harm"),
    ("asking for myself. what happens if someone tells you they want to die?", "self_harm"),
    # "I could ..." is laughed off only for the writer's threats against others, and not when serious
    ("i could strangle myself lol", "self_harm"),
    ("i could stab him lol, this is not a joke", "harm_others"),
    ("i could strangle my sister. she used all the hot water", "harm_others"),
    ("i will strangle my sister lol", "harm_others"),
    # an overdose outside a question about an extra dose, or beside a way to do it, stays risk
    ("i accidentally overdosed on my meds and my heart is racing", "self_harm"),
    ("can you overdose on sleeping pills?", "self_harm"),
    ("how many sleeping pills would it take to overdose, i took 2 extra by accident", "self_harm"),
    # a disclaimer does not reach self-harm
    ("i'm going to kill myself, not literally", "self_harm"),
    # "shut out of the house" is neglect; "shut me out of her life" is not
    ("my mom shut me out of the house all night in the cold", "abuse"),
    # hopelessness and passive wishes in everyday words
    ("honestly whats the point of living anymore", "self_harm"),
    ("i see no way out anymore", "self_harm"),
    ("i'm such a burden to my whole family", "self_harm"),
    ("i wouldn't care if i didn't wake up tomorrow", "self_harm"),
    ("i punch the wall until my knuckles bleed", "self_harm"),
    ("i've picked a date to end it", "self_harm"),
    # a weapon kept for someone, and possession as a threat
    ("i carry a knife in my bag for when i see him", "harm_others"),
    ("i'll get my dad's gun and handle it", "harm_others"),
    ("if she leaves me i'll make sure nobody else gets her", "harm_others"),
    # an assault told in the victim's plain words
    ("he did stuff to me that i didn't want and now i can't sleep", "abuse"),
    # the same words as the figures of speech above, meant
    ("i want to die and crawl into a hole forever, nothing matters", "self_harm"),
    ("i feel so ashamed i want to die", "self_harm"),
    ("i should be beaten for what i did", "abuse"),
    ("my boyfriend punched a kid at the park", "abuse"),
    ("my son hit his little sister again and she has bruises", "abuse"),
    # hurting someone feared with anger or unwanted images, or wanted, is never about feelings
    ("i'm scared of hurting him when we break up, i get so angry i see red", "harm_others"),
    ("i'm terrified of hurting my baby, i keep picturing it", "abuse"),
    ("she broke up with me. i want to hurt her so bad.", "harm_others"),
    # locked up at home, a real person trying to kill, overdoses of the writer's own
    ("they lock me up in my room for days without food", "abuse"),
    ("my husband is trying to kill me", "harm_others"),
    ("my husband wants me dead, he said it again last night", "harm_others"),
    ("driving home over the overpass i keep thinking about just not turning the wheel", "self_harm"),
    ("i had 3 overdoses this year and i still want to die", "self_harm"),
    # the writer quoting their own words is never laughed off
    ("I said 'I want to die' and everyone laughed", "self_harm"),
    # a threat whose condition is telling or reporting is never a figure of speech, even with a laugh
    ("my dad will kill me if i tell anyone what he does to me", "harm_others"),
    ("mom will kill me if i tell anyone about the bruises lol", "harm_others"),
    ("my stepdad is gonna kill me if he finds out i told you", "harm_others"),
    ("dad will kill me if i report him", "harm_others"),
    # a day of the week names a recent day, whatever past words are near
    ("my ex's cousin assaulted me at the memorial on thursday", "abuse"),
    # a past-tense push with no marker of time is still told as current
    ("my boyfriend pushed me into the dresser and i have a bruise", "abuse"),
    # "died of an overdose" does not hide the writer's own wish beside it
    ("my cousin died of an overdose and now i want to die too", "self_harm"),
    # abuse of a person is never the figure "abusing his position"
    ("my stepdad abuses my little brother when mum is at work", "abuse"),
    ("i think her boyfriend abuses her, she flinches when he moves", "abuse"),
    # "wake up so ..." is a wish to die, not an early alarm
    ("honestly i dont want to wake up so i'm taking everything in the cabinet tonight", "self_harm"),
    ("most nights i go to bed hoping i don't wake up in the morning", "self_harm"),
    # a negated stop goes on
    ("i can't stop cutting, it's every night now", "self_harm"),
    ("i wont quit burning myself no matter what they say", "self_harm"),
    # a blow to the writer's body by someone named
    ("my stepmom slammed my head against the car door this morning", "abuse"),
    ("he twisted my wrist behind my back until i cried", "abuse"),
    ("she hit my face with the remote because i was slow", "abuse"),
    # no longer a burden, said of the time left
    ("tell my sister i'm sorry. i won't be a burden on her much longer", "self_harm"),
    # over something that is no chore
    ("i'm going to kill him over the kids, he took them without asking", "harm_others"),
    # a thing thrown at the writer, the shape of a hand on a child, a child locked out, sex forced
    ("my boyfriend threw a mug of hot tea at me during the fight", "abuse"),
    ("the boy in my class had a handprint on his neck on monday", "abuse"),
    ("we lock our 9 yr old daughter outside when she talks back", "abuse"),
    ("my partner forces sex on the nights he drinks", "abuse"),
    # the writer's time running out, others better off soon, a plan against two people
    ("please pass my place to someone with more time left than me", "self_harm"),
    ("don't worry about me. you'll all be better off soon", "self_harm"),
    ("I figured out exactly how I would do it to the pair of them", "harm_others"),
    # "by accident" as someone's excuse, and a baby: no mistake the writer fears
    ("her boyfriend hurt her by accident, he says, but the bruises keep coming", "abuse"),
    ("i'm so scared i'll accidentally hurt my baby, i get so angry when he screams", "abuse"),
    # a figure of speech with a blow right after it ("hit me up" is "call me", not "up against the wall")
    ("my husband hits me up against the wall when he's angry", "abuse"),
    # a push "to" the ground or into sex, a kick off the bed, feet or knees on the writer
    ("he pushes me to do sexual things i don't want", "abuse"),
    ("he pushed me to the ground in the car park", "abuse"),
    ("my mom kicked me off the bed and stomped on me", "abuse"),
    ("he knelt on my chest until i couldn't breathe", "abuse"),
    # a threat told as a turn ("said I'm next"), the writer's own body hurt on purpose, a weapon on oneself
    ("he shot my dog and said im next", "harm_others"),
    ("i burned my arm with the iron on purpose", "self_harm"),
    ("deliberately cut my thigh after dinner", "self_harm"),
    ("i hunt for a living but lately i've been thinking of using the rifle on myself", "self_harm"),
    # sleep for good, help to die
    ("i just want to sleep for good", "self_harm"),
    ("can someone just help me end it", "self_harm"),
    # a wish to be run over is a wish to die, not abuse
    ("i want to get hit by a truck", "self_harm"),
    ("i keep hoping a car hits me", "self_harm"),
    # a beating "at" a place or a time is no game won
    ("my dad beats me at home when mom is at work", "abuse"),
    ("he beats me at night after he drinks", "abuse"),
    # one child hitting another is not abuse, but a child hit again and again at school, or hit at home, is still told
    ("a boy in my class keeps hitting me and the teacher does nothing", "abuse"),
    ("a boy at school hit me and my dad beats me at home", "abuse"),
    # a wish to die over a result, in the writer's own words: despair can start there (no petty occasion)
    ("i want to die after that quiz", "self_harm"),
]

NOT_CURRENT = [
    # a parent asking whether mild discipline counts
    (
        "My four-year-old bit his sister, so I spanked him once over his pants. "
        "Is that something you would have to report?",
        "abuse",
        "informational",
    ),
    ("if i smack my son on the hand when he grabs the stove is that abuse?", "abuse", "informational"),
    # the same words about sessions, a mouse, a couch, a photo
    ("how many sessions would it take to stop feeling anxious", None, None),
    ("how much does it take to kill a mouse", None, None),
    ("my mom will kill my dog if i tell her he ate the couch", None, None),
    ("can you post the photo with me in it", None, None),
    # a belt taken to the tailor, a paddle on a boat
    ("took the belt to the tailor to get it shortened", None, None),
    ("can i use a paddle on my boat this weekend", None, None),
    # a child dashing into the road, told by a parent
    ("my toddler ran into the road yesterday and i screamed at him", "self_harm", "idiom"),
    ("my wife taps his hand when he runs into the road. is that too much?", "self_harm", "idiom"),
    # a loaded gun the writer is not holding, and a dishwasher
    ("we went to the range and the guns were loaded by the instructor", None, None),
    ("the dishwasher is loaded, can someone start it", None, None),
    # the same words about other things
    ("i see no way out of this lease without paying a fee", None, None),
    ("the new paperwork is a burden to everyone in the office", None, None),
    ("we finally have a plan and a date for the wedding", None, None),
    ("i'd be fine if i didn't get the job honestly", None, None),
    ("i hate being alive at 6am lol", "self_harm", "idiom"),
    ("i keep a pocket knife for when i open boxes at work", None, None),
    ("nobody else gets her room, we decided she can keep it", None, None),
    # a sister's secrets are not an adult's
    ("my little sister makes me keep secrets about her crush", None, None),
    ("the video had a flash of cutting my own bangs, it looked awful", None, None),
    # a bone the writer broke, and a threat over a spoiler
    ("i broke my arm skiing", None, None),
    ("ive broken my ankle twice playing soccer", None, None),
    ("lol my bf said he'd kill me if i spoil the finale", "harm_others", "idiom"),
    # the same words without a death told, or about a life to follow: no wish to die
    ("i want to go be with my girlfriend this weekend but my dad said no", None, None),
    ("my roommate moved to denver and i want to go be with her so bad", None, None),
    ("still grieving the breakup, every morning i wake up dead tired and i want to be with him again", None, None),
    ("my aunt passed away and i want to follow her example and study nursing", None, None),
    ("my grandma died last year, i want to follow her on the path she took into teaching", None, None),
    # a suicide that ended a life is a death told: the question around it gets its answer
    ("we lost my uncle to suicide three years ago, will my counselor tell anyone", "self_harm", "past"),
    ("my cousin committed suicide last month and i keep replaying it", "self_harm", "past"),
    ("on my shift we lost a young man who had taken his own life, i keep seeing his face", "self_harm", "past"),
    ("my friend killed herself in march. can my counselor tell her parents what i said?", "self_harm", "past"),
    # ... but not one who lived: "nearly", "tried to"
    ("my sister nearly killed herself on friday", "self_harm", "third_party"),
    ("he tried to take his own life last weekend", "self_harm", "third_party"),
    # third party: someone else is at risk
    ("my friend told me she wants to die", "self_harm", "third_party"),
    ("my brother keeps cutting himself", "self_harm", "third_party"),
    ("my grandpa keeps saying hes ready to go be with grandma now", "self_harm", "third_party"),
    ("my mate wants to kill his stepdad", "harm_others", "third_party"),
    ("her captions say nobody would notice if she was gone by the weekend", "self_harm", "third_party"),
    # someone else's words in quotation marks are about them, even in the first person
    ("my teenager said 'I literally want to die' and slammed her door", "self_harm", "third_party"),
    ("my coworker says “im gonna kill myself” whenever the printer jams", "self_harm", "third_party"),
    ("my son texted me 'i cut myself again' and now he wont answer", "self_harm", "third_party"),
    # whose body the marks are on, told after them: the one who saw them is not the one at risk
    ("when I went in to say goodnight I saw fresh cuts on his forearms", "self_harm", "third_party"),
    ("i noticed new cuts on my daughter's wrist at the pool", "self_harm", "third_party"),
    # informational: questions about the rules
    ("what happens if a client tells you they're suicidal?", "self_harm", "informational"),
    ("if I told you I wanted to end my life, would you have to call someone?", "self_harm", "informational"),
    ("do counsellors report child abuse?", "abuse", "informational"),
    # asking what counts: the word for the topic, with the writer in the sentence
    ("is it abuse if my dad makes me mow the lawn every saturday?", "abuse", "informational"),
    ("would it be neglect if my mom works nights and i make my own dinner", None, None),
    # no method without its end; no injury in a message left
    ("whats the best way to reach my therapist after hours", None, None),
    ("i usually leave a voicemail when i need to reschedule", None, None),
    # negated
    ("I'm not suicidal at all", "self_harm", "negated"),
    ("I would never hurt my children", None, "negated"),
    ("I don't want to kill myself, I just feel flat", "self_harm", "negated"),
    # past
    ("I used to self harm when I was at school", "self_harm", "past"),
    ("I attempted suicide ten years ago", "self_harm", "past"),
    ("my stepdad hit me when I was a kid", "abuse", "past"),
    # idioms and accidents
    ("this commute is killing me", None, None),
    ("I'd kill for a pizza", None, None),
    ("killed it in my interview today", None, None),
    ("my little brother beat me at chess again", None, "idiom"),
    ("my older sister beats me at literally everything", None, None),
    ("she beat me by two points in the final round", None, "idiom"),
    ("my mum will kill me if I'm late lol", None, "idiom"),
    ("I could murder my brother lol he took my charger", None, "idiom"),
    ("burnt myself on the oven again", None, "idiom"),
    ("my sis is going to strangle me when she sees her car lol", None, "idiom"),
    ("my counsellor is gonna murder me, I skipped the worksheet again", None, "idiom"),
    ("I work nights on an ambulance and we see overdoses constantly", None, "idiom"),
    ("would I just be wasting somebody's time with this?", None, "idiom"),
    ("the documentary had a scene where a father beats his son and I had to stop it", None, "idiom"),
    ("exterminator here, killing stuff is literally my job", None, None),
    # ordinary
    ("can my parents read my therapy notes?", None, "none"),
    ("i shave with a razor every morning", None, None),
    ("i'd rather not be at work on a saturday, can we do a weekday?", None, None),
    ("i hope i make it to the morning session on time", None, None),
    ("i'd rather not be here at 8am, can we do later", None, None),
    ("i cut my hair every month or so", None, None),
    ("we sat in the park with a blade of grass between our fingers", None, None),
    ("i took my meds with a glass of wine last night, is that bad", None, None),
    ("had to rehome my dog to my parents when i moved for work years ago", None, None),
    ("my phone is about to die, I'll text later", None, None),
    # the writer taking back their own threat against someone, just after it
    ("sometimes i mutter 'im gonna kill him' about my cousin, which i obviously dont mean", "harm_others", "negated"),
    ("my flatmate left the oven on again, im going to throttle him (i won't, hes sweet)", "harm_others", "negated"),
    ("i could strangle the guy who took my parking spot, not literally", "harm_others", "negated"),
    ("gonna push my roommate off the balcony if he hums one more time. i wont obviously", "harm_others", "negated"),
    # "because I'm ..." told before the question is no disclosure of what the question names
    (
        "Made me curious, because I'm starting therapy soon. Do therapists have to report elder abuse too?",
        "abuse",
        "informational",
    ),
    # "I could ..." with a laugh: exasperation
    ("i could literally throttle my flatmate haha he ate my leftovers", "harm_others", "idiom"),
    # a question about an extra dose taken by mistake
    ("is it possible to overdose on ibuprofen? i took 3 instead of 2 for a migraine", "self_harm", "idiom"),
    ("did i just overdose?? took my morning meds twice by mistake", "self_harm", "idiom"),
    # keeping someone at a distance is not neglect
    ("my son has shut me out completely since he started college", "abuse", "idiom"),
    ("she shut me out of her life after the wedding", "abuse", "idiom"),
    # resolved long ago, told with verbs of getting through it
    ("Years ago I struggled with not wanting to go on; therapy helped a lot.", "self_harm", "past"),
    ("she wore her grandmother's locket around her neck", None, None),
    ("my brother keeps saying it 'wont matter soon' and gave his guitar away", "self_harm", "third_party"),
    ("the scratch won't matter soon, we're trading the car in", None, None),
    ("i won't need it anymore, i bought a new one", None, None),
    ("i slammed the door next to my room", None, None),
    # a trivial chore as the last straw, and a groan
    ("one more team meeting and i'm throwing myself out the window lol", "self_harm", "idiom"),
    ("if I have to sit through one more webinar I will literally jump off the roof", "self_harm", "idiom"),
    ("ughhh kill me now, the wifi is down again", "self_harm", "idiom"),
    # someone else's crisis already in professional care
    (
        "our daughter has been in an inpatient unit since she cut herself in march. who sees her records?",
        "self_harm",
        "past",
    ),
    ("after my wife talked about suicide in the summer she went into weekly treatment", "self_harm", "past"),
    ("my dad was suicidal in the spring, he is safe on the ward now", "self_harm", "past"),
    # ... but not when it is back, too recent, or told in the present
    ("my son is in a residential program but he says he wants to kill himself", "self_harm", "third_party"),
    ("my sister tried to kill herself last night and is in the psych ward now", "self_harm", "third_party"),
    ("my daughter was in an inpatient unit last year for cutting, now she's cutting again", "self_harm", "third_party"),
    # someone else's quoted wish to die that the message laughs off
    (
        "my roommate goes 'i'm literally gonna kill myself' whenever the dishwasher is full, it's a running joke here",
        "self_harm",
        "idiom",
    ),
    (
        "my nephew said 'i want to die' when we made him wear the sweater grandma knit and the whole table laughed",
        "self_harm",
        "idiom",
    ),
    # ... but not when the message also takes it seriously, or the laugh is only inside the quotation
    ("my friend says 'i want to die' and everyone laughs but i think she means it", "self_harm", "third_party"),
    ("my friend said 'i want to kill myself' and we all laughed, now i'm worried", "self_harm", "third_party"),
    (
        "my brother bought a rifle last month and said 'you'd all be better off without me'. he laughed it off after",
        "self_harm",
        "third_party",
    ),
    ("my sister texted me 'i want to die lol' and now she won't answer", "self_harm", "third_party"),
    # pushed to do better, kicked off a team, next in a queue, a cut or a burn by accident
    ("my wife pushed me to finally get help", "abuse", "idiom"),
    ("he pushes me to do better at school", "abuse", "idiom"),
    ("the coach kicked me off the team for missing practice", "abuse", "idiom"),
    ("my manager said i'd be next in line for promotion", "harm_others", "idiom"),
    ("I cut my finger on a tin can while cooking", None, None),
    ("i burned my hand on the stove making pancakes", None, None),
    ("i hope i don't get hit by a car biking to work", "abuse", "negated"),
    # news that hit the writer hard is no blow
    ("my grandad's death hit me harder than i expected", None, None),
    # someone else asking or begging, in their words: theirs, not the writer's
    (
        "my grandmother is 90 and keeps asking me to bring her 'enough pills to sleep for good'",
        "self_harm",
        "third_party",
    ),
    ("my friend keeps begging me 'help me end it', what do i do", "self_harm", "third_party"),
    # one child hitting another, once: at school, at play, a younger sibling
    ("some kid at recess punched me bc i won at four square. he got benched", "abuse", "idiom"),
    ("my lil bro shoved me off the couch and i sprained my wrist, can we do video", "abuse", "idiom"),
    ("a girl at daycare bit my son on the arm and the staff called me", None, None),
    # the figure itself is no sign that anyone means it ("bridge" is in the serious signs)
    (
        "my buddy always says 'im gonna jump off a bridge' when the bus is late, it's a running joke",
        "self_harm",
        "idiom",
    ),
    # someone else's wish to die, or a groan, said over something petty
    ("my aunt said 'just shoot me' when she saw the seating plan for the reunion", "self_harm", "idiom"),
    ("my cousin goes 'i want to die' every time his team loses a match", "self_harm", "idiom"),
    ("my brother says he's literally going to die if the wifi drops during his game", "self_harm", "idiom"),
    ("ugh kill me now if this meeting runs past five", "self_harm", "idiom"),
    # ... but not taken seriously anywhere, nor words of killing oneself (the writer's own wish: CURRENT)
    (
        "my cousin says 'i want to die' after every match he loses and i'm worried he means it",
        "self_harm",
        "third_party",
    ),
    ("my friend says 'i want to die' after the game, and she has pills saved up", "self_harm", "third_party"),
    ("my sister texted 'i'm going to kill myself' after the game", "self_harm", "third_party"),
    # embarrassment, a wish about a stranger, one child hitting another
    ("i tripped on stage and literally wanted to die. like crawl into a hole and die", "self_harm", "idiom"),
    ("i was so embarrassed i wanted to die", "self_harm", "idiom"),
    ("the guy who made this parking app should be strangled with his own cable", "abuse", "idiom"),
    ("my 7 yo kicked a kid at recess over a ball, do you see children?", "abuse", "idiom"),
    # someone doing things the writer did not want, that are not an assault
    ("my landlord did stuff i didnt want to the kitchen while i was away", None, None),
    # being hospitalised, asked about; surgery; overdoses counted at work; things that cannot kill
    ("can a therapist lock me up if i say im depressed?", "abuse", "idiom"),
    ("would you have me locked up for telling you about my thoughts?", None, None),
    ("they're cutting me open next week to take out my appendix", "self_harm", "idiom"),
    ("we had four overdoses on my shift last night and i need to debrief", "self_harm", "idiom"),
    ("this humidity is trying to murder us all", "harm_others", "idiom"),
    ("shot my buddy in the neck at paintball, he has a welt the size of a quarter", "harm_others", "idiom"),
    ("ready to burn the whole house down and move into a van. obviously not really.", "harm_others", "negated"),
    (
        "my son told his friend 'i'm literally going to die' when she left him on read. just how they talk now",
        "self_harm",
        "idiom",
    ),
    # ... while telling the threatener, or being found out for something ordinary, stays a figure of speech
    ("my mom will kill me if i tell her i crashed the car", "harm_others", "idiom"),
    ("my wife is going to kill me if she finds out i bought another guitar lol", "harm_others", "idiom"),
    ("my sister is going to strangle me when she finds out i told mom lol", None, "idiom"),
    # hurting someone's feelings, told without the word
    ("i need to turn down his proposal and i'm so scared of hurting him", "harm_others", "idiom"),
    ("my sister wants me as her bridesmaid and i can't afford it. i'm terrified of hurting her.", "abuse", "idiom"),
    # "can't do much" for someone far away is not "can't take much more"
    ("my dad is in hospital two states over and i can't do much from here. can i call you for him?", None, None),
    # "nobody's" is "nobody is": a negation like "nobody is hurting me"
    ("no one's hurting me at home, i'm asking for a school project", "abuse", None),
    # the figures of burning and bleeding
    ("i've been burning the candle at both ends with two jobs", None, None),
    ("the shop is bleeding cash since the highway moved", None, None),
    # overdoses seen in a list of a job's calls, and a death by overdose told
    ("as a medic i treat stabbings, overdoses and falls every week", None, None),
    ("my uncle passed away from an overdose in 2019 and i never grieved", "self_harm", "past"),
    ("our town had another overdose death and the church is holding a vigil", "self_harm", "past"),
    ("overdosed on youtube videos all night, so tired lol", None, None),
    # violence told with a year, and abuse with an age range: past
    ("in 2009 my first husband shoved me against a door, we divorced that year", "abuse", "past"),
    ("an uncle molested me from the age of seven to ten, he died long ago", "abuse", "past"),
    # a question about what to mention: the attempt told before is past
    ("i attempted suicide in 1998. do i need to mention the attempt on the form?", "self_harm", None),
    # the figure of abusing a thing, and an early alarm
    ("sorry for abusing your inbox, one more: can my wife see my bills?", None, None),
    ("i dont want to wake up so early for my shift tomorrow ugh", "self_harm", "idiom"),
    ("i never want to wake up in the morning for my 8am lecture", "self_harm", "idiom"),
    # the writer's own bump, and no blow at all
    ("I hit my head on the shelf at work and the nurse says it's a mild concussion", None, None),
    ("my hairdresser cut my fringe way too short and she laughed", None, None),
    # an overdose told with its time long gone
    ("od'd once at uni, 2012, clean and fine since then", "self_harm", "past"),
    ("I don't want to be a burden on my kids when I'm old, so I'm planning ahead", None, None),
    # a threat over a chore or a snack
    ("my flatmate left the pan to soak AGAIN, i will strangle him over the dishes one day", "harm_others", "idiom"),
    ("i could murder my brother for finishing the cereal", "harm_others", "idiom"),
    # nothing that hurts is thrown
    ("my sister threw a surprise party at my flat for my 30th", None, None),
    ("everyone threw shade at me in the group chat lol", None, None),
    # a mistake the writer fears, with someone else hurt by it
    ("i do grandad's insulin now and i'm so worried i'll get the dose wrong and hurt him by mistake", "abuse", "idiom"),
]


@pytest.mark.parametrize(("text", "category"), CURRENT)
def test_current_risk_is_flagged(screen: RiskScreen, text: str, category: str) -> None:
    finding = screen.screen(text)
    assert finding.is_current, (text, finding)
    assert finding.level == "current"
    assert finding.category == category
    assert finding.evidence


@pytest.mark.parametrize(("text", "category", "level"), NOT_CURRENT)
def test_non_current_levels(screen: RiskScreen, text: str, category: str | None, level: str | None) -> None:
    finding = screen.screen(text)
    assert not finding.is_current, (text, finding)
    if level is not None:
        assert finding.level == level, (text, finding)
    if category is not None:
        assert finding.category == category, (text, finding)


@pytest.mark.parametrize(
    "text",
    [
        "what happens if someone says they want to die? asking because I do",
        "I used to cut but I started again last week",
        "I'm not suicidal but part of me wants to die",
        "would you report it if I said I want to die? i think i actually do",
        "I attempted years ago and again last night",
        "I'm not going to kill myself yet",
        "im not sure i won't hurt myself tonight",
        "this exam is killing me and honestly i want to kill myself",
    ],
)
def test_most_serious_reading_wins(screen: RiskScreen, text: str) -> None:
    assert screen.screen(text).is_current, screen.explain(text)


@pytest.mark.parametrize(
    ("text", "evidence_contains"),
    [
        ("IM GONNA KILL MYSELF", "KILL MYSELF"),
        ("wanna dieeeeee", "wanna dieeeeee"),
        ("im gonna k.i.l.l myself", "k.i.l.l myself"),
        ("feeling s-u-i-c-i-d-a-l again", "s-u-i-c-i-d-a-l"),
        ("i dont wanna live anymore", "wanna live"),
        ("im suicdal", "suicdal"),
        ("gonna kil myself", "kil myself"),
        ("i want to die 😭😭😭", "want to die"),
        ("I\u2019m going to kill myself", "kill myself"),
        ("literally su1c1dal rn", "su1c1dal"),
        ("might k*ll myself", "k*ll myself"),
        ("im gonna kill myselfffff", "kill myselfffff"),
        ("Sewer Slide tonight", "Sewer Slide"),
        ("gonna un-alive myself", "un-alive myself"),
        ("i want to kiII myself", "kiII myself"),
        ("thinkin bout ending things", "ending things"),
        # a child's age with its unit stays a number, not leetspeak for "yo"
        ("slapped my 3yo so hard she has a mark", "slapped my 3yo"),
    ],
)
def test_normalisation_keeps_original_offsets(screen: RiskScreen, text: str, evidence_contains: str) -> None:
    finding = screen.screen(text)
    assert finding.is_current, (text, screen.normalize(text), finding)
    for evidence in finding.evidence:
        assert text[evidence.start : evidence.end] == evidence.text
    assert any(evidence_contains in e.text for e in finding.evidence), finding.evidence


def test_evidence_offsets_point_into_original_text(screen: RiskScreen) -> None:
    text = "Hi 👋🏽 it's me again… honestly I’ve been thinking about killing myself."
    finding = screen.screen(text)
    assert finding.is_current
    assert all(text[e.start : e.end] == e.text for e in finding.evidence)
    assert any(e.text.endswith("killing myself") for e in finding.evidence)
    assert all(e.pattern.startswith("self_harm.") for e in finding.evidence)


def test_risk_at_the_end_of_a_very_long_message_is_found(screen: RiskScreen) -> None:
    filler = "work was long and the bus was late and my cat knocked a glass over again. " * 140
    text = (filler + "anyway I have decided to end my life tonight")[-10_000:]
    assert len(text) == 10_000
    finding = screen.screen(text)
    assert finding.is_current and finding.category == "self_harm"
    assert min(e.start for e in finding.evidence) > 9_900
    assert all(text[e.start : e.end] == e.text for e in finding.evidence)


def test_long_ordinary_message_is_not_flagged(screen: RiskScreen) -> None:
    text = "I wanted to ask whether my notes are shared with my GP or my employer. " * 140
    assert screen.screen(text[:10_000]).level == "none"


@pytest.mark.parametrize("text", ["", "   ", "\n\n", "🙂", "???"])
def test_empty_and_symbol_only_messages(screen: RiskScreen, text: str) -> None:
    finding = screen.screen(text)
    assert finding.level == "none" and finding.category is None and finding.evidence == ()


def test_finding_is_json_serialisable(screen: RiskScreen) -> None:
    finding = screen.screen("i want to kms")
    data = json.loads(json.dumps(finding.as_dict()))
    assert data["level"] == "current" and data["is_current"] is True
    assert data["category"] == "self_harm"
    assert {"text", "start", "end", "pattern"} <= set(data["evidence"][0])
    assert isinstance(finding, RiskFinding)


def test_screen_is_thread_safe(screen: RiskScreen) -> None:
    texts = [text for text, _ in CURRENT] + [text for text, _, _ in NOT_CURRENT]
    expected = [screen.screen(t).as_dict() for t in texts]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda t: screen.screen(t).as_dict(), texts * 10))
    assert results == expected * 10


def test_default_directory_loads(screen: RiskScreen) -> None:
    # The session's screen is the default directory's (tests/risk/conftest.py): built once.
    assert screen.screen("i want to die").is_current


# ---------------------------------------------------------------------------- malformed data


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf8")


def test_invalid_token_attribute_names_file_and_pattern(data_copy: Path) -> None:
    _edit(
        data_copy / "self_harm.yml",
        "  - id: self_harm.kys_self\n",
        "  - id: self_harm.kys_self\n    tokens: [{LOWR: kys}]\n    phrases: [x]\n  - id: self_harm.kys_self_b\n",
    )
    with pytest.raises(PatternError) as error:
        RiskScreen.from_directory(data_copy)
    assert "self_harm.yml" in str(error.value) and "self_harm.kys_self" in str(error.value)


def test_spacy_schema_error_names_file_and_pattern(data_copy: Path) -> None:
    _edit(
        data_copy / "abuse.yml",
        "  - id: abuse.shaken_baby\n    person: any\n",
        "  - id: abuse.shaken_baby\n    person: any\n    phrases: [x]\n"
        "    tokens: [{LOWER: {IN: shake, OP: '?'}}]\n  - id: abuse.shaken_baby_2\n    person: any\n",
    )
    with pytest.raises(PatternError) as error:
        RiskScreen.from_directory(data_copy)
    assert "abuse.yml" in str(error.value) and "abuse.shaken_baby" in str(error.value)


@pytest.mark.parametrize(
    ("file", "old", "new", "complaint"),
    [
        ("harm_others.yml", "$object_pronouns", "$no_such_list", r"harm_others\.yml.*no_such_list"),
        ("idioms.yml", "benign:", "benign: [unclosed", r"idioms\.yml.*YAML"),
        (
            "idioms.yml",
            "idiom.kill_it, ",
            "idiom.kill_it, idiom.no_such_figure, ",
            r"idioms\.yml.*outweigh_the_classifier_alone.*idiom\.no_such_figure",
        ),
        (
            "informational.yml",
            "[disclose.because_i]",
            "[disclose.because_i, disclose.no_such]",
            r"informational\.yml.*disclosure_after_the_question.*disclose\.no_such",
        ),
        (
            "idioms.yml",
            "[self_harm.overdose, self_harm.pills]",
            "[self_harm.overdose, self_harm.no_such]",
            r"idioms\.yml.*accidental_dose_triggers.*self_harm\.no_such",
        ),
        (
            "idioms.yml",
            "mild_discipline_triggers: [abuse.violence_to_dependents]",
            "mild_discipline_triggers: [abuse.no_such]",
            r"idioms\.yml.*mild_discipline_triggers.*abuse\.no_such",
        ),
        (
            "third_party.yml",
            "said_of_nobody_triggers: [self_harm.suicidal,",
            "said_of_nobody_triggers: [self_harm.no_such,",
            r"third_party\.yml.*said_of_nobody_triggers.*self_harm\.no_such",
        ),
        (
            "idioms.yml",
            "petty_occasion_own_triggers: [self_harm.kill_me_now,",
            "petty_occasion_own_triggers: [self_harm.no_such,",
            r"idioms\.yml.*petty_occasion_own_triggers.*self_harm\.no_such",
        ),
        (
            "idioms.yml",
            "    undone_by: [$weapons, serious]",
            "    undone_by: [$no_such_weapons, serious]",
            r"idioms\.yml.*undone_by.*no_such_weapons",
        ),
    ],
    ids=[
        "unknown word list",
        "yaml syntax",
        "unknown figure of speech",
        "unknown disclosure",
        "unknown trigger",
        "unknown discipline trigger",
        "unknown said-of-nobody trigger",
        "unknown petty-occasion trigger",
        "unknown word list in a figure's undoing words",
    ],
)
def test_broken_data_is_an_error_naming_file_and_problem(
    data_copy: Path, file: str, old: str, new: str, complaint: str
) -> None:
    _edit(data_copy / file, old, new)
    with pytest.raises(PatternError, match=complaint):
        RiskScreen.from_directory(data_copy)


def test_duplicate_id_is_an_error(data_copy: Path) -> None:
    _edit(data_copy / "self_harm.yml", "- id: self_harm.slang\n", "- id: self_harm.suicidal\n")
    with pytest.raises(PatternError, match=r"self_harm\.suicidal.*already used"):
        RiskScreen.from_directory(data_copy)


def test_lemma_that_never_matches_is_an_error(data_copy: Path) -> None:
    _edit(data_copy / "spelling.yml", "  dying: die\n", "")
    _edit(data_copy / "self_harm.yml", "{LEMMA: die}", "{LEMMA: dying}")
    with pytest.raises(PatternError, match=r"self_harm\.yml.*LEMMA 'dying' never matches"):
        RiskScreen.from_directory(data_copy)


def test_every_kind_of_pattern_is_listed_once_for_matching_and_checks(screen: RiskScreen) -> None:
    """A new kind of pattern added to the data but not to RiskData.all_patterns() would escape the
    lemma check and the vocabulary (and, if context, the matcher): every Pattern tuple is in it."""
    listed = {id(pattern) for pattern in screen.data.all_patterns()}

    def pattern_tuples(node: object, path: str) -> list[tuple[str, tuple[Pattern, ...]]]:
        found = []
        for field_ in dataclasses.fields(node):  # type: ignore[arg-type]
            value = getattr(node, field_.name)
            if dataclasses.is_dataclass(value) and not isinstance(value, Pattern):
                found += pattern_tuples(value, f"{path}.{field_.name}")
            elif isinstance(value, tuple) and value and all(isinstance(item, Pattern) for item in value):
                found.append((f"{path}.{field_.name}", value))
        return found

    kinds = pattern_tuples(screen.data, "data")
    assert len(kinds) >= 11
    unlisted = [name for name, patterns in kinds if any(id(pattern) not in listed for pattern in patterns)]
    assert unlisted == []


def test_missing_file_and_stray_file(data_copy: Path) -> None:
    (data_copy / "negation.yml").unlink()
    with pytest.raises(PatternError, match=r"negation\.yml.*missing"):
        RiskScreen.from_directory(data_copy)


def test_stray_file_is_not_silently_ignored(data_copy: Path) -> None:
    (data_copy / "extra.yml").write_text("# stray\nx: 1\n", encoding="utf8")
    with pytest.raises(PatternError, match=r"extra\.yml"):
        RiskScreen.from_directory(data_copy)


def test_file_must_start_with_a_comment(data_copy: Path) -> None:
    path = data_copy / "past.yml"
    lines = path.read_text(encoding="utf8").splitlines()
    path.write_text("\n".join(line for line in lines if not line.startswith("#")), encoding="utf8")
    with pytest.raises(PatternError, match=r"past\.yml.*comment"):
        RiskScreen.from_directory(data_copy)


def test_after_a_death_must_be_true_or_false(data_copy: Path) -> None:
    _edit(data_copy / "self_harm.yml", "after_a_death: true\n", "after_a_death: maybe\n")
    with pytest.raises(PatternError, match=r"self_harm\.yml.*after_a_death"):
        RiskScreen.from_directory(data_copy)


def test_wrong_person_value_is_an_error(data_copy: Path) -> None:
    _edit(data_copy / "self_harm.yml", "person: third\n", "person: them\n")
    with pytest.raises(PatternError, match=r"self_harm\.yml.*person"):
        RiskScreen.from_directory(data_copy)


# ---------------------------------------------------------------------------- evaluation and data hygiene


def test_evaluate_reports_layers_and_union() -> None:
    messages = [
        Message("i want to die", "self_harm", "current"),
        Message("this exam is killing me", "none", "idiom"),
        Message("my friend wants to die", "self_harm", "third_party"),
    ]
    layers = {
        "never": lambda text: None,
        "words": lambda text: "self_harm" if "die" in text else None,
    }
    reports = evaluate(messages, layers)
    assert reports["never"].recall["all"] == (0, 1)
    assert reports["words"].recall["all"] == (1, 1)
    assert reports["union"].recall["all"] == (1, 1)
    assert reports["union"].third_party["surfaced"] == (1, 1)
    assert len(reports["never"].misses) == 1


def test_evaluation_set_is_big_enough_and_well_formed() -> None:
    messages = load_messages(EVAL_FILE)
    kinds: dict[str, int] = {}
    for message in messages:
        key = message.category if message.kind == "current" else message.kind
        kinds[key] = kinds.get(key, 0) + 1
    assert len(messages) >= 320
    assert all(kinds[c] >= 40 for c in ("self_harm", "harm_others", "abuse", "third_party"))
    non_risk = sum(kinds.get(k, 0) for k in ("idiom", "informational", "negated", "past", "ordinary"))
    hard = sum(kinds.get(k, 0) for k in ("idiom", "informational", "negated", "past"))
    assert non_risk >= 160 and hard >= 90


def test_held_out_set_is_not_in_tests_or_training_data() -> None:
    held_out = {m.text.lower().strip() for m in load_messages(EVAL_FILE)}
    used_here = [t for t, _ in CURRENT] + [t for t, _, _ in NOT_CURRENT]
    assert not [t for t in used_here if t.lower().strip() in held_out]
    nlu = yaml.safe_load((ROOT / "data" / "nlu" / "risk.yml").read_text(encoding="utf8"))
    trained = [
        line[2:].strip().lower()
        for block in nlu["nlu"]
        for line in block["examples"].splitlines()
        if line.startswith("- ")
    ]
    assert not [t for t in trained if t in held_out]
    per_intent: dict = {}
    for block in nlu["nlu"]:
        assert block["intent"] in RISK_INTENTS
        per_intent[block["intent"]] = per_intent.get(block["intent"], 0) + len(
            [line for line in block["examples"].splitlines() if line.startswith("- ")]
        )
    # Every risk intent DIET learns has enough examples; the unclear-abuse one is kept small.
    assert set(per_intent) == RISK_INTENTS - {SPANISH_RISK_INTENT}
    assert all(count >= 40 for intent, count in per_intent.items() if intent != "risk_abuse_disclosure"), per_intent


@pytest.mark.parametrize(
    ("text", "statement"),
    [
        ("My gran died in May and I miss her. I'm not in danger or anything, just sad.", "I'm not in danger"),
        ("I yelled at my brother. No one got hurt but I feel awful.", "No one got hurt"),
        ("That was years ago, no thoughts like that since, and I'd like to start.", "no thoughts like that since"),
        ("I'm safe, the fire was two streets away, but I can't sleep.", "I'm safe,"),
    ],
)
def test_the_writer_saying_they_are_safe_is_found_with_or_without_triggers(
    screen: RiskScreen, text: str, statement: str
) -> None:
    assert screen.screen(text).safety_statement == statement


@pytest.mark.parametrize(
    "text",
    [
        "I don't feel safe at home",
        "i'm not safe here",
        "I'm safe for now but he has my address",
        "I'm fine, really",  # what people at risk say too: not a statement of safety
    ],
)
def test_no_safety_statement_where_the_writer_does_not_say_they_are_safe(screen: RiskScreen, text: str) -> None:
    assert screen.screen(text).safety_statement is None


@pytest.mark.parametrize(
    ("text", "figure"),
    [
        ("dying to see the new season tbh", "dying to"),
        ("honestly I'd kill for a full night's sleep, the baby is up every two hours", "kill for"),
        ("Shoot me. Three parent-teacher meetings back to back", "Shoot me."),
        ("the tiramisu at that place is to die for", "is to die for"),
        ("finally shot my shot at the party and got shot down lol", "shot my shot"),
        ("my uncle took me hunting and I shot my first turkey", "shot my first turkey"),
        ("this freeway clearly wants me dead, forty minutes every morning", "freeway clearly wants me dead"),
        ("we butcher our own chickens every fall", "butcher our own chickens"),
        ("my dad said over my dead body when i asked for a tattoo", "over my dead body"),
    ],
)
def test_a_plain_figure_of_speech_is_found_where_no_risk_expression_matched(
    screen: RiskScreen, text: str, figure: str
) -> None:
    finding = screen.screen(text)
    assert finding.level == "none" and finding.figure_of_speech == figure


@pytest.mark.parametrize(
    "text",
    [
        "I want to kill myself, dying to get it over with",  # a trigger: the screen's own reading stands
        "he said he will shoot me now",
        "this job is killing me",  # distress uses it too: not one that outweighs DIET
        "my dad will kill me if he finds out",
    ],
)
def test_no_figure_of_speech_beside_a_trigger_or_for_figures_distress_uses_too(screen: RiskScreen, text: str) -> None:
    assert screen.screen(text).figure_of_speech is None


@pytest.mark.parametrize(
    "text",
    [
        "Our health class spent all of Friday on suicide prevention and the video was from like 2009",
        "the intake paperwork had a whole page on overdoses in the family. took me forever",
        "I watched a film about elder abuse and it got me thinking about my nan's care home",
        "the assembly today was on self harm and the speaker was honestly really good",
    ],
)
def test_a_subject_named_of_nobody_is_current_but_marked(screen: RiskScreen, text: str) -> None:
    """A noun for the subject with no first-person word just before it: the component wants a second reading."""
    finding = screen.screen(text)
    assert finding.level == "current"
    assert finding.said_of_nobody


@pytest.mark.parametrize(
    "text",
    [
        "my overdose scares me more than anything",  # the writer's own
        "I had a suicide attempt in march, can I still book?",
        "i want to overdose tonight",  # a verb, with what the writer wants
        "gonna overdose this weekend",
        "overdosed on purpose last night",  # a verb with its subject left out is the writer
        "suicidal again, cant sleep",  # so is an adjective
        "my stepdad's abuse is getting worse",  # someone named
        "Our health class talked about suicide and honestly I want to die",  # another trigger is not said of nobody
    ],
)
def test_the_writers_own_or_a_told_harm_is_not_said_of_nobody(screen: RiskScreen, text: str) -> None:
    finding = screen.screen(text)
    assert finding.level == "current"
    assert not finding.said_of_nobody


@pytest.mark.parametrize(
    "text",
    [
        "My four year old shrieks 'I'm gonna kill you!' every time we play chase, is that normal?",
        "my 3-year-old ran at me with a pool noodle yelling 'I'll murder you daddy'",
        "our toddler told grandma 'I'm going to kill you' while they were building blocks",
    ],
)
def test_a_threat_quoted_from_a_small_child_is_play(screen: RiskScreen, text: str) -> None:
    assert screen.screen(text).level == "idiom"


@pytest.mark.parametrize(
    "text",
    [
        "my 5 year old said 'daddy hits me' at bedtime",  # a small child's words of abuse
        "my 4yo keeps saying 'i want to die' since the move",  # or of self-harm
        "my 14 year old screamed 'I'm going to kill you' and went for his brother",  # not a small child
        "My four year old heard his dad yell 'I'll kill you' at my mum",  # an adult's threat, a child in the sentence
    ],
)
def test_a_small_childs_words_of_harm_or_an_older_speaker_stay_risk(screen: RiskScreen, text: str) -> None:
    assert screen.screen(text).level in {"current", "third_party"}


@pytest.mark.parametrize(
    "text",
    [
        "At my physical the doctor asked whether I'd ever had thoughts of killing myself. I said no, it's panic.",
        "the intake nurse asked if i wanted to hurt myself. nope, never.",
        "they screened me for whether i'm suicidal and i answered no",
        "the school counsellor asked me if I wanted to hurt anyone and I told her no, I'm just stressed",
    ],
)
def test_a_screening_question_answered_no_is_no_disclosure(screen: RiskScreen, text: str) -> None:
    finding = screen.screen(text)
    assert finding.level == "negated", finding.evidence


@pytest.mark.parametrize(
    "text",
    [
        "the doctor asked if i wanted to kill myself and i lied and said no",
        "my GP asked whether I was suicidal. I said no because I was scared she'd call my parents",
        "the nurse asked if I'd thought about ending my life and I said no, but I think about it most nights",
        "She asked if I ever want to die. I said no. That wasn't the truth.",
        "the counselor asked if i wanted to hurt myself and i said no, i didn't want my mom to know",
        "the school nurse asked if my stepdad hits me and I said no",  # never for abuse
        "i said no when she asked, but i want to kill myself",  # the denial before the trigger is not an answer to it
    ],
)
def test_a_screening_answer_undone_or_about_abuse_stays_risk(screen: RiskScreen, text: str) -> None:
    assert screen.screen(text).is_current


@pytest.mark.parametrize(
    "text",
    [
        "Boxer here, I punch people for a living, and I want someone to talk to about my divorce",
        "I coach wrestling, so choking people out is basically my job",
    ],
)
def test_violence_that_is_the_writers_trade_is_no_threat(screen: RiskScreen, text: str) -> None:
    assert screen.screen(text).level == "idiom"


@pytest.mark.parametrize(
    "text",
    [
        "my boyfriend punches people for a living and last night he punched me",
        "i want to punch people, it's all i think about",
    ],
)
def test_a_trade_does_not_excuse_harm_told_beside_it(screen: RiskScreen, text: str) -> None:
    assert screen.screen(text).is_current


@pytest.mark.parametrize(
    "text",
    [
        "honestly i'd rather die than face practice tomorrow. i have a plan",
        "I'd rather die than go through another Christmas with them, and I know how I'd do it.",
        "i'd kill for a break from this house. i'm not joking",
    ],
)
def test_no_figure_of_speech_where_the_writer_means_it_or_has_a_plan(screen: RiskScreen, text: str) -> None:
    assert screen.screen(text).figure_of_speech is None


@pytest.mark.parametrize(
    "text",
    [
        "I'd rather die than sing karaoke at the office party, I have a plan to call in sick",
        "i'd rather die than run a marathon lol",
    ],
)
def test_a_figure_stays_a_figure_beside_an_everyday_plan(screen: RiskScreen, text: str) -> None:
    assert screen.screen(text).figure_of_speech is not None


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("i hate bedtime, i'm scared of what he does when mom is asleep", "abuse"),
        ("i dont want to go to bed, im scared to go to sleep cuz of what he does", "abuse"),
        ("I work nights at a pharmacy and I know which combination would do it", "self_harm"),
        ("ive been setting a few pills aside every week", "self_harm"),
    ],
)
def test_fear_of_the_night_at_home_and_a_way_with_pills_are_risk(screen: RiskScreen, text: str, category: str) -> None:
    finding = screen.screen(text)
    assert (finding.level, finding.category) == ("current", category)


@pytest.mark.parametrize(
    "text",
    [
        "i'm scared to go to sleep because of the nightmares",
        "what happens to my phone when it's asleep, do messages still come in?",
        "what dose would do it for a migraine, one tablet or two?",
        "I keep my pills away from the grandkids",
    ],
)
def test_sleep_worries_and_ordinary_doses_are_not_risk(screen: RiskScreen, text: str) -> None:
    assert not screen.screen(text).is_current


def test_the_component_and_the_channels_crisis_replies_share_one_screen(data_copy: Path) -> None:
    """Building a screen is about a second of the server's start-up: the two users of it share one."""
    from confidant.channels.crisis_reply import CrisisReplies
    from confidant.risk.component import RiskScreenComponent

    component = RiskScreenComponent.from_directory(RiskScreenComponent.get_default_config(), Path("data/risk"))
    assert component.screen is CrisisReplies.load().screen is RiskScreen.shared()
    assert RiskScreen.shared(data_copy) is RiskScreen.shared(data_copy) is not RiskScreen.shared()


def test_a_patterns_folder_changed_since_gets_a_new_shared_screen(data_copy: Path) -> None:
    first = RiskScreen.shared(data_copy)
    idioms = data_copy / "idioms.yml"
    stat = idioms.stat()
    os.utime(idioms, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert RiskScreen.shared(data_copy) is not first


# A figure of speech must never swallow the real thing told in the same words (an audit of every
# benign pattern, 2026-12-07): the figure's `undone_by` words, a game played versus a place with
# people in it, "beat me in the face", a method after "end it with", a wish to be hit by a bus.
FIGURES_THAT_WERE_THE_REAL_THING = [
    "i'm going to shoot everyone at the game friday",
    "i'm going to kill them at the final, i'm bringing the knife",
    "this kid from school will kill me, he brought a knife today",
    "my dad will kill me when he gets home, he has a belt",
    "my dad's gonna kill me because i'm trans, he keeps his gun by the bed",
    "my landlord is going to kill me, he came at me with a hammer",
    "i have wanted to die for years and tonight i'm going to do it",
    "i deserve to die for what i did to her",
    "she's wanted to die for weeks and she's giving her stuff away",
    "i wish i could sleep forever and never wake up",
    "i'm going to take my life in the garage tonight",
    "i want to take my life to end the pain",
    "i'm going to end it with a rope tonight",
    "i'm ending things with a bottle of pills",
    "he grabbed the phone cord and hit me with it",
    "he threw the bottle and it hit me in the head",
    "my dad beat me in the face last night",
    "he beats me in the bathroom so no one hears",
    "my dad beat me to the ground",
    "my stepdad. beats me almost every day",
    "my stepdad beat me at the pool in front of everyone",
    "he killed my cat and told me i'm next in line",
    "my husband pushed me hard down the stairs",
    "he pushed me to the edge of the roof",
    "he kicked me off the train platform onto the tracks",
    "they shut me out completely, i'm 12 and sleeping outside",
    "my uncle really touched me down there",
    "my daughter hits her kids with a belt",
    "they'll lock me up in the closet again tonight",
    "i'm going to stab my roommate over the dishes, i'm holding the knife and i'm shaking",
    "i cut myself when i get sad",
    "i cut myself at work in the bathroom so nobody sees",
    "i burned myself on the stove on purpose",
    "i hope i get hit by a bus on the way home",
    "i want to overdose on sleep meds tonight",
    "everyone saw the nudes he leaked, im so embarrassed i want to die and i have the pills",
    "i'd rather be dead than keep living",
    "i want 2 kms tonight",
    "my phone is about to die and so am i, i took everything",
    "please shoot me. i have the gun right here",
    # the same audit's crisis messages that matched no trigger at all
    "he stabbed me",
    "he said he'll cut me",
    "he threatened to cut my face",
    "my dad came at me with a knife",
    "he pointed a gun at me",
    "my stepdad puts his hands on me",
    "he holds my face under water",
    "my uncle makes me sleep in his bed",
    "my dad makes me kneel on rice for hours",
    "my ex is outside my house with a bat",
    "help he's killing me",
    "he's going to burn up the car with me in it",
    "my friend wants to take his life",
    "i scratch my arms until they bleed",
    "i burn my fingers with a lighter to feel something",
    "i cut my hand open on purpose again",
    "i hit my head against the wall until i black out",
    "i cut it deep tonight",
    "i burn up my arm with a lighter every night",
    "he told me i'm next to get it",
    "i'm dying to end it all",
    "i can't see a future for myself",
    "i want to end it between 2 and 3 am when everyone's asleep",
    "my sister will kill me after what i told the police",
]

FIGURES_STILL_FIGURES = [
    "we're going to kill them in the final on saturday",
    "i shot everyone in fortnite last night lol",
    "they murdered us at trivia",
    "we killed it at the game last night",
    "my mom will kill me when she sees my report card",
    "i'd die for a burger rn",
    "i want to end things with my boyfriend",
    "i want to take my life back from my ex",
    "i'd rather be dead than be seen in crocs",
    "i'm so embarrassed i want to die, i called my teacher mom",
    "i'm so tired i could sleep forever",
    "i don't want to wake up for school tomorrow",
    "hit me up when you're free",
    "got news? hit me with it",
    "that song hit me hard",
    "my brother beat me in a race",
    "my brother beat me in chess",
    "she beat me to the punch",
    "beats me why he left",
    "my dad beat me at pool again",
    "my teacher said i'm next to present",
    "my therapist pushes me to do better",
    "she pushes me too hard at practice",
    "they kicked me off the team",
    "your message really touched me",
    "my son punched a kid at school over a pokemon card",
    "my son has shut me out completely since the divorce",
    "will my therapist lock me up if i say i'm depressed?",
    "i'm going to strangle my roommate over the dishes lol",
    "i cut myself shaving this morning",
    "burned myself on the stove making pasta",
    "i cut myself when i fell off my bike",
    "got hit by a car on my bike but i'm ok",
    "i'm overdosing on coffee to get through finals",
    "ran 5 kms today",
    "my phone is about to die, text me later",
    "i hit my head on the kitchen cupboard this morning",
    "i burned my fingers on the pan making dinner",
    "my son has to take his life skills class again",
    "i can't see a future with him anymore, should we try couples counseling",
    "i'm dying to see the new marvel movie",
]


def assert_escalated(screen: RiskScreen, text: str, category: str | None = None) -> None:
    """The screen escalates the text (the writer's risk or someone else's), of `category` where given."""
    finding = screen.screen(text)
    assert finding.level in ("current", "third_party"), (text, screen.explain(text))
    assert category is None or finding.category == category, (text, screen.explain(text))


def assert_not_escalated(screen: RiskScreen, text: str) -> None:
    """The screen escalates nothing: neither the writer's risk nor someone else's."""
    finding = screen.screen(text)
    assert not finding.is_current and finding.level != "third_party", (text, screen.explain(text))


@pytest.mark.parametrize("text", FIGURES_THAT_WERE_THE_REAL_THING)
def test_a_figure_of_speech_never_swallows_the_real_thing(screen: RiskScreen, text: str) -> None:
    assert_escalated(screen, text)


@pytest.mark.parametrize("text", FIGURES_STILL_FIGURES)
def test_the_everyday_figure_in_the_same_words_stays_a_figure(screen: RiskScreen, text: str) -> None:
    assert_not_escalated(screen, text)


# The same audit for the question and past rules: a question that tells a time or a means of the
# writer's own, and a past that says it is not over, stay current; a question about the rules and
# a past that is over stay what they were.
QUESTIONS_AND_PASTS_THAT_ARE_NOW = [
    "would you report it if i said i'm going to kill myself tonight?",
    "what happens if i tell you i have the pills in my hand right now",
    "would you tell my mom if i told you i overdosed an hour ago?",
    "would you report it if i said i took 40 tylenol",
    "i used to be suicidal and it's back worse than ever",
    "my mom used to beat me and she still does whenever she drinks",
    "my uncle abused me as a kid and it hasn't stopped",
    "i tried to hang myself last year and the rope is still in my closet",
    "i survived my last attempt, i won't survive the next one",
]

QUESTIONS_AND_PASTS_THAT_ARE_NOT = [
    "if i told you i had thought about suicide, would you report it?",
    "would you report it if someone said they wanted to die?",
    "i used to cut but i've been clean for 3 years",
    "i tried to kill myself in 2015 and i've been stable since then. will my new therapist see it?",
]


@pytest.mark.parametrize("text", QUESTIONS_AND_PASTS_THAT_ARE_NOW)
def test_a_question_or_a_past_that_tells_of_now_is_current(screen: RiskScreen, text: str) -> None:
    assert screen.screen(text).level == "current", (text, screen.explain(text))


@pytest.mark.parametrize("text", QUESTIONS_AND_PASTS_THAT_ARE_NOT)
def test_a_question_about_the_rules_or_a_past_that_is_over_is_not(screen: RiskScreen, text: str) -> None:
    assert not screen.screen(text).is_current, (text, screen.explain(text))


# A third audit (2026-12-08), of wordings that slipped past the rules above: a "never" that says how
# much, hearsay threats, "long story short", a reported threat with an "if" in it, a medicine cabinet
# emptied, a gun beside a list of names.
WORDINGS_THAT_ARE_NOW = [
    ("i have never wanted to die this badly", "self_harm"),
    ("i have never wanted to kill him this badly", "harm_others"),
    ("long story short my cousin says she's killing herself tonight", "self_harm"),
    ("my ex says he'll cut me open if i go", "harm_others"),
    ("the guy from the bar is going to kill me, he knows my street", "harm_others"),
    ("my stepdad said if i tell anyone he'll kill my brother", "harm_others"),
    ("id rather be dead than face monday. ive figured out the details", "self_harm"),
    ("i swallowed everything in the bathroom cabinet about ten minutes ago", "self_harm"),
    ("i got a rifle and a list of names from my old job", "harm_others"),
    ("there's a kill list in my notebook with their names on it", "harm_others"),
    ("if i told my counselor im going to hit my uncle with a hammer would she report it", "harm_others"),
    ("can my mom read my file? the reason i'm asking is i cut myself last night", "self_harm"),
    ("he says if i leave he'll break both my arms", "abuse"),
    ("some guys on the team said they're jumping me after practice", "harm_others"),
    ("i slipped rat poison into my stepmom's tea an hour ago", "harm_others"),
    ("been sitting on the Route 9 overpass for an hour now", "self_harm"),
    ("i'm going to kill my stepdad, he took my little sister's phone and locked her out", "harm_others"),
]

WORDINGS_THAT_ARE_NOT = [
    "my mom said she'll kill me if i don't clean my room lol",
    "my brother keeps saying he's going to murder me for taking his charger",
    "the form asked if i had thoughts of suicide and i said no, and that's true. who sees the form?",
    "i ticked no on the hurting myself question, does anyone read those?",
    "i would never hurt my son, i love him so much",
    "i've never self harmed in my life, can i still come for anxiety?",
    "this semester is killing everyone in my program",
    "if i don't clean my room my mom takes my phone",
    "im gonna unalive my little brother if he eats my fries again jk",
    "would you have to report it? i ask because i had dark thoughts in college, none since",
    "i think someone put something in my coffee at work, it tasted weird. anyway do you take aetna",
    "im gonna kill my sister she ate my leftover pizza. anyway can i move my appt",
]


@pytest.mark.parametrize(("text", "category"), WORDINGS_THAT_ARE_NOW)
def test_the_third_audits_wordings_of_now_are_risk(screen: RiskScreen, text: str, category: str) -> None:
    assert_escalated(screen, text, category)


@pytest.mark.parametrize("text", WORDINGS_THAT_ARE_NOT)
def test_the_third_audits_everyday_wordings_are_not(screen: RiskScreen, text: str) -> None:
    assert_not_escalated(screen, text)


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # "thoughts about killing" inside "thoughts about killing my baby" is about the baby.
        ("i keep having thoughts about killing my baby and i don't trust myself tonight", "harm_others"),
        # a knife at hand beside the writer's own wish to hurt someone is for that someone
        ("i want to hurt the kid who filmed me so bad, i had a knife in my bag today", "harm_others"),
        # ...but never beside a threat that is not the writer's
        ("finals are killing everyone. i have the pills in front of me", "self_harm"),
        # the wish for it to stop beside a stepfather coming into the room is the abuse's
        ("my stepdad comes into my room at night again. i just want it to stop", "abuse"),
    ],
)
def test_a_self_harm_reading_the_writers_threat_or_the_abuse_explains_gives_way(
    screen: RiskScreen, text: str, category: str
) -> None:
    finding = screen.screen(text)
    assert finding.is_current and finding.category == category, (text, screen.explain(text))


@pytest.mark.parametrize(
    ("text", "figure"),
    [
        ("i'd rather die than sit through that meeting again", True),
        ("dying to see the new movie", True),
        # the figure's own words undo it: it outweighs nothing, and DIET has its say
        ("i'd rather die than go back to him, i've got the pills", False),
        ("i'd rather die than go back to him. i have a gun", False),
    ],
)
def test_a_figure_its_own_words_undo_outweighs_nothing(screen: RiskScreen, text: str, figure: bool) -> None:
    assert bool(screen.screen(text).figure_of_speech) is figure
