import type { NewPetition } from './petition-types.js';

const paragraphs = (...lines: string[]) => lines.join('\n\n');

/** The model case: the first page a newcomer sees is a real campaign, not an empty list. */
export const DEMO_PETITION: NewPetition = {
  slug: 'free-xinjiang-detainees',
  language: 'en',
  title: 'Free the people arbitrarily detained in Xinjiang',
  summary:
    'Hundreds of thousands of Uyghurs, Kazakhs and other Muslims are held without charge or trial in Xinjiang. We call for their release and for their families to be told where they are.',
  body: paragraphs(
    'Since 2017, people from Xinjiang have been detained in large numbers, without charge, without trial and without access to a lawyer. Many of their relatives abroad do not know whether they are alive.',
    'We call on the government of the People’s Republic of China to release everyone arbitrarily detained in Xinjiang, to tell families where their relatives are held, and to allow independent observers into the region.',
    'Your signature will be handed over at Chinese embassies around the world. You can choose to show only your country, not your name.',
  ),
  target: 'The government of the People’s Republic of China',
  // As the model campaign did, the page speaks its signers' languages. These five texts were machine-drafted by an
  // AI assistant from the English on 2026-11-29, using the terms of docs/i18n/<lang>-glossary.md, and have NOT been
  // reviewed by a native speaker. Traditional Chinese is written for Taiwan and Hong Kong readers.
  translations: {
    es: {
      title: 'Liberen a las personas detenidas arbitrariamente en Xinjiang',
      summary:
        'Cientos de miles de uigures, kazajos y otros musulmanes permanecen detenidos sin cargos ni juicio en Xinjiang. Pedimos su liberación y que se informe a sus familias de dónde se encuentran.',
      body: paragraphs(
        'Desde 2017, un gran número de personas de Xinjiang han sido detenidas sin cargos, sin juicio y sin acceso a un abogado. Muchos de sus familiares en el extranjero no saben si siguen con vida.',
        'Pedimos al Gobierno de la República Popular China que libere a todas las personas detenidas arbitrariamente en Xinjiang, que informe a las familias de dónde están recluidos sus seres queridos y que permita la entrada de observadores independientes en la región.',
        'Su firma se entregará en embajadas de China en todo el mundo. Puede elegir mostrar solo su país, no su nombre.',
      ),
      target: 'El Gobierno de la República Popular China',
    },
    fr: {
      title: 'Libérez les personnes détenues arbitrairement au Xinjiang',
      summary:
        'Des centaines de milliers d’Ouïghours, de Kazakhs et d’autres musulmans sont détenus sans inculpation ni procès au Xinjiang. Nous demandons leur libération et que leurs familles soient informées du lieu où ils se trouvent.',
      body: paragraphs(
        'Depuis 2017, des personnes originaires du Xinjiang sont détenues en grand nombre, sans inculpation, sans procès et sans accès à un avocat. Beaucoup de leurs proches à l’étranger ne savent pas si elles sont encore en vie.',
        'Nous demandons au gouvernement de la République populaire de Chine de libérer toutes les personnes détenues arbitrairement au Xinjiang, d’indiquer aux familles où leurs proches sont détenus et de laisser entrer des observateurs indépendants dans la région.',
        'Votre signature sera remise aux ambassades de Chine dans le monde entier. Vous pouvez choisir de n’afficher que votre pays, et non votre nom.',
      ),
      target: 'Le gouvernement de la République populaire de Chine',
    },
    ar: {
      title: 'أطلقوا سراح المحتجزين تعسفيًا في شينجيانغ',
      summary: 'يُحتجز مئات الآلاف من الأويغور والكازاخ وغيرهم من المسلمين في شينجيانغ دون تهمة أو محاكمة. نطالب بإطلاق سراحهم وبإبلاغ عائلاتهم بأماكن وجودهم.',
      body: paragraphs(
        'منذ عام 2017، يُحتجز أعداد كبيرة من أهالي شينجيانغ دون تهمة ودون محاكمة ودون السماح لهم بالاستعانة بمحامٍ. ولا يعرف كثير من أقاربهم في الخارج إن كانوا لا يزالون على قيد الحياة.',
        'نطالب حكومة جمهورية الصين الشعبية بإطلاق سراح جميع المحتجزين تعسفيًا في شينجيانغ، وإبلاغ العائلات بأماكن احتجاز ذويهم، والسماح لمراقبين مستقلين بدخول المنطقة.',
        'سيُسلَّم توقيعك إلى سفارات الصين في أنحاء العالم. ويمكنك أن تختار إظهار بلدك فقط دون اسمك.',
      ),
      target: 'حكومة جمهورية الصين الشعبية',
    },
    'zh-Hans': {
      title: '释放在新疆遭任意拘押的人',
      summary: '数十万维吾尔族、哈萨克族和其他穆斯林在新疆未经起诉或审判而遭到关押。我们呼吁释放他们，并告知其家人他们身在何处。',
      body: paragraphs(
        '自 2017 年以来，大批新疆民众在未经起诉、未经审判、无法会见律师的情况下遭到拘押。他们在海外的许多亲属至今不知道家人是否还活着。',
        '我们呼吁中华人民共和国政府释放所有在新疆遭任意拘押的人，告知家属其亲人被关押的地点，并允许独立观察员进入该地区。',
        '您的签名将递交给世界各地的中国大使馆。您可以选择只显示您所在的国家，而不显示您的姓名。',
      ),
      target: '中华人民共和国政府',
    },
    'zh-Hant': {
      title: '釋放在新疆遭任意拘押的人士',
      summary: '數十萬名維吾爾人、哈薩克人及其他穆斯林在新疆未經起訴或審判即遭關押。我們呼籲釋放他們，並告知其家人他們身在何處。',
      body: paragraphs(
        '自 2017 年起，大批新疆居民在未經起訴、未經審判、也無法會見律師的情況下遭到拘押。他們許多在海外的親友至今不知道家人是否仍然在世。',
        '我們呼籲中華人民共和國政府釋放所有在新疆遭任意拘押的人士，告知家屬其親人被關押的地點，並允許獨立觀察員進入該地區。',
        '您的簽名將遞交給世界各地的中國大使館。您可以選擇只顯示您所在的國家，不顯示您的姓名。',
      ),
      target: '中華人民共和國政府',
    },
  },
  goal: 500_000,
  status: 'open',
  verification: 'email',
  // Names are handed over embassy by embassy: kept until a year after the last delivery.
  retention: { after: 'delivered', days: 365 },
};
