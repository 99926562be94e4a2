public enum VanThuServerPlaceholder {}
