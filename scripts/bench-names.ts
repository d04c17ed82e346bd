/** Given and family names in many scripts, for benchmarks: a packet must render all of them. */
const POOLS: [string[], string[]][] = [
  [['Ayşe', 'Mehmet', 'Zeynep', 'Emre', 'Elif'], ['Yılmaz', 'Kaya', 'Demir', 'Şahin', 'Çelik']],
  [['Maria', 'João', 'Zoë', 'Łukasz', 'Søren', 'Fatou', 'Amadou', 'Hélène'], ['Silva', 'García', 'Dubois', 'Nowak', 'Diallo', 'Ndiaye', 'Jansen', 'Øvergaard']],
  [['Владимир', 'Анна', 'Ольга', 'Дмитрий'], ['Петров', 'Смирнова', 'Иванов', 'Кузнецова']],
  [['Γιώργος', 'Ελένη', 'Νίκος', 'Μαρία'], ['Παπαδόπουλος', 'Γεωργίου', 'Οικονόμου', 'Νικολάου']],
  [['محمد', 'فاطمة', 'يوسف', 'عائشة'], ['حسن', 'الخطيب', 'سليمان', 'النجار']],
  [['ئەخمەتجان', 'مەمەت', 'گۈلنار', 'ئابدۇرېھىم'], ['مەمەت', 'ئابلىمىت', 'ئىمىن', 'تۇرسۇن']],
  [['דוד', 'שרה', 'יוסף', 'רחל'], ['כהן', 'לוי', 'מזרחי', 'פרץ']],
  [['小明', '伟', '芳', '秀英', '磊'], ['王', '李', '张', '刘', '陈']],
  [['はなこ', '太郎', '陽菜', '蓮'], ['佐藤', '鈴木', '高橋', '田中']],
  [['민준', '서연', '지호', '하은'], ['김', '이', '박', '최']],
  [['अनुष्का', 'राहुल', 'प्रिया', 'अर्जुन'], ['शर्मा', 'वर्मा', 'गुप्ता', 'सिंह']],
];

/** The i-th benchmark name: every script in turn, with enough variety that layouts are not all cached. */
export function benchName(i: number): { firstName: string; lastName: string } {
  const [firsts, lasts] = POOLS[i % POOLS.length]!;
  const k = Math.floor(i / POOLS.length);
  return { firstName: firsts[k % firsts.length]!, lastName: lasts[Math.floor(k / firsts.length) % lasts.length]! };
}
